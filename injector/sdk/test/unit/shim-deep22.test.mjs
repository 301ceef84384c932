// Pass 22: covers anywhere in the tree found without IntersectionObserver
// v2 (x620, x621, x624, x626-x629, x631): a MutationObserver of the whole
// document feeds the cover watch, translucent layers are judged together,
// and after a change a few texts are hit-tested and their wrappers checked
// in the next frame. Legitimate layers and wrappers stay; nothing is
// checked while nothing changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, SHEET_DOM, NAV_DOM, COVER_DOM, WATCH_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// The cover page of fakes.mjs, plus: observers that see the subtree and
// attribute changes (attr(el, name) records one), an insertion the shim does
// not hook (rawInsert: the parser, innerHTML), frames (requestAnimationFrame
// queues, frame() runs them; how many were asked in asked), a hit test a
// test can put a layer into (hitOver), a modal a test can open, and the
// marker and link inside a wrapper (shell) of the app.
const DOM = LIVE_DOM + SHEET_DOM + NAV_DOM + COVER_DOM + WATCH_DOM + `
  function attr(t, name) { observers.forEach(function (o) { if (watches(o, t, 'attributes', name)) queue.push([o, { type: 'attributes', target: t, attributeName: name, addedNodes: [], removedNodes: [] }]); }); }
  var rawInsert = NP.insertBefore;
  var frames = [], asked = 0;
  function requestAnimationFrame(f) { asked++; frames.push(f); return frames.length; }
  function runFrames() { var f = frames; frames = []; f.forEach(function (x) { x(0); }); }
  var hitOver = null, efp = Document.prototype.elementFromPoint, hitTests = 0;
  Document.prototype.elementFromPoint = function (x, y) { hitTests++; return hitOver && hitOver(x, y) || efp.call(this, x, y); };
  var modal = null;
  document.querySelectorAll = function (q) { return modal && /:modal/.test(q) ? [modal] : []; };
  var shell = mk('div'), panel = null;
  body.insertBefore(shell, marker); shell.appendChild(marker); shell.appendChild(nav);
  marker.rect = [10, 10, 300, 20]; nav.rect = [10, 40, 60, 20];
`;

const hiddenAt = (p, v) => p.run(`getComputedStyle(${v}).visibility`) === 'hidden';

// a page after load; look() is one 250 ms look: the observers' records,
// the cover watch, then the frame it asked for and its task
const page = (opts) => {
  const p = livePage(DOM, shim, opts);
  p.loaded();
  p.look = () => { p.run('deliver()'); p.interval(); p.run('runFrames()'); p.tick(0); };
  p.look();
  return p;
};

test('deep22: a cover put anywhere by a method the shim does not hook, or restyled in place, is hidden at the second look (x620, x621, x631)', () => {
  const p = page();
  p.run('var c = el({ backgroundColor: "rgb(255, 255, 255)", zIndex: "99999" }); rawInsert.call(deep, c, null)');
  stack(p, 'c');
  p.look();
  assert.equal(hiddenAt(p, 'c'), false, 'one look is not enough (a flash)');
  p.look();
  assert.equal(hiddenAt(p, 'c'), true, 'x620: innerHTML three wrappers deep');
  assert.equal(p.w.__crmframe.stats.unhide, 1);
  // an element there from load, restyled in place by a class
  const q = page();
  q.run('var s = mk("span"); rawInsert.call(deep, s, null);');
  q.look(); q.look(); q.look();
  q.run('s.cs = { pointerEvents: "none", position: "fixed", zIndex: "99999", backgroundColor: "rgb(255, 255, 255)" }; s.rect = [0, 0, 800, 600]; attr(s, "class")');
  stack(q, 's');
  q.look(); q.look();
  assert.equal(hiddenAt(q, 's'), true, 'x621: a class makes it a white layer');
  // a layer under the page's text (a backdrop the app is positioned over)
  const r = page();
  r.run('var b = el({ backgroundColor: "rgb(240, 240, 240)", zIndex: "0" }); rawInsert.call(deep, b, null); stackAt = function (x, y) { return [efp.call(document, x, y), b, body]; }');
  r.look(); r.look(); r.look();
  assert.equal(hiddenAt(r, 'b'), false, 'a backdrop under the text stays');
});

// what elementsFromPoint lists at the text: the layers named, then the text
function stack(p, ...names) { p.run(`stackAt = function () { return [${names.join(', ')}, marker, shell, body]; }`); }

test('deep22: translucent layers taking no clicks, opaque together over the text, are hidden together (x624); lighter stacks stay', () => {
  const run = (alphas, under) => {
    const p = page();
    p.run(`var vs = ${JSON.stringify(alphas)}.map(function (a, i) { var v = el({ backgroundColor: "rgba(255, 255, 255, " + a + ")", zIndex: String(99990 + i) }); rawInsert.call(body, v, null); return v; })`);
    p.run(under ? 'stackAt = function (x, y) { return [efp.call(document, x, y)].concat(vs, [body]); }' : 'stackAt = function () { return vs.slice().reverse().concat([marker, body]); }');
    p.look(); p.look(); p.look();
    return JSON.parse(p.run('JSON.stringify(vs.map(function (v) { return getComputedStyle(v).visibility === "hidden"; }))'));
  };
  assert.deepEqual(run([0.6, 0.6, 0.6]), [true, true, true], 'x624: three .6 veils (0.94)');
  assert.deepEqual(run([0.6, 0.6]), [false, false], 'two .6 veils (0.84)');
  assert.deepEqual(run([0.5, 0.6]), [false, false], 'a .5 dim over a .6 veil (0.8)');
  assert.deepEqual(run([0.6, 0.6, 0.6], true), [false, false, false], 'veils under the text');
});

test('deep22: a blank opaque layer that takes clicks over the text is hidden at the second check (x629); one that shows something, progress or a modal stays', () => {
  const run = (setup) => {
    const p = page();
    p.run(`var g = mk("dialog"); g.cs = { position: "fixed", zIndex: "99999", backgroundColor: "rgb(255, 255, 255)" }; g.rect = [0, 0, 800, 600];
      ${setup || ''}; rawInsert.call(shell, g, null); hitOver = function () { return g; }`);
    p.look();
    const first = hiddenAt(p, 'g');
    p.look();
    return [first, hiddenAt(p, 'g')];
  };
  assert.deepEqual(run(), [false, true], 'x629: a blank non-modal sheet');
  assert.deepEqual(run('g.appendChild(text("Saving your changes"))'), [false, false], 'a layer with text (a message)');
  assert.deepEqual(run('g.cs.cursor = "wait"'), [false, false], 'a loading mask with a wait cursor');
  assert.deepEqual(run('g.cs.backgroundColor = "rgba(0, 0, 0, 0.4)"'), [false, false], 'a dim that takes clicks (a modal\'s)');
  assert.deepEqual(run('modal = mk("div", [text("Confirm")])'), [false, false], 'a modal is open');
});

test('legit22: a blank mask with the page\'s own popup above it, in a sibling (x772), stays; a panel under the mask, static text or a blank box do not save it', () => {
  const run = (setup) => {
    const p = page();
    p.run(`var g = mk("div"); g.cs = { position: "fixed", zIndex: "900", backgroundColor: "rgb(0, 0, 0)" }; g.rect = [0, 0, 800, 600];
      var pp = mk("div", [text("Close case 772")]); pp.cs = { position: "fixed", zIndex: "901" }; pp.rect = [50, 60, 360, 200];
      var ppOn = true; rawInsert.call(body, g, null); rawInsert.call(body, pp, null);
      ${setup || ''};
      hitOver = function (x, y) { return ppOn && x >= 50 && x < 410 && y >= 60 && y < 260 ? pp : g; }`);
    p.look(); p.look();
    return hiddenAt(p, 'g');
  };
  assert.equal(run(), false, 'x772: the popup is painted above its mask');
  assert.equal(run('pp.childNodes = []; pp.appendChild(mk("select"))'), false, 'a popup holding a control only');
  assert.equal(run('pp.childNodes = []; pp.localName = "iframe"; pp.matches = function (q) { return q.split(",").indexOf(this.localName) >= 0; }'), false, 'a popup frame (showModalDialog-style)');
  assert.equal(run('ppOn = false'), true, 'a panel the mask paints over');
  assert.equal(run('pp.cs.position = "static"'), true, 'text in the flow is no popup');
  assert.equal(run('pp.childNodes = []'), true, 'a blank box is no popup');
  assert.equal(run('pp.rect = [0, 0, 800, 600]'), true, 'a box as large as the mask is no popup');
});

test('deep22: a wrapper of every sampled text that hides it is lifted on texts picked afresh (x626-x628); a light filter, a blur with a modal, a wrapper of some texts only stay', () => {
  const run = (cs, setup) => {
    const p = page();
    if (setup) p.run(setup);
    p.look();
    p.run(`shell.cs = ${JSON.stringify(cs)}; attr(shell, "class")`);
    p.look();
    const first = JSON.stringify(p.run('shell.style.p'));
    p.look();
    return [first, p.run('JSON.stringify(shell.style.p)')];
  };
  assert.deepEqual(run({ filter: 'blur(30px)' }), ['{}', '{"filter":"none"}'], 'x626: blur(30px)');
  assert.deepEqual(run({ filter: 'blur(2px) grayscale(1)' }), ['{}', '{}'], 'a light blur and grayscale (a read-only mode)');
  assert.deepEqual(run({ filter: 'blur(30px)' }, 'modal = mk("div", [text("Confirm")])'), ['{}', '{}'], 'blurred behind a modal');
  const panel = 'panel = mk("aside", [text("Quick edit")]); panel.rect = [500, 10, 200, 20]; body.appendChild(panel)';
  assert.deepEqual(run({ filter: 'blur(30px)' }, panel), ['{}', '{}'], 'a blurred app beside a panel whose text shows');
  // geometry: only when no text of the page can be seen
  const zoom = (setup) => {
    const p = page();
    if (setup) p.run(setup);
    p.look();
    p.run('shell.cs = { zoom: "0.01" }; marker.rect = [0, 0, 1, 1]; nav.rect = [0, 1, 1, 1]; attr(shell, "style")');
    p.look(); p.look(); p.look();
    return p.run('shell.style.p.zoom');
  };
  assert.equal(zoom(), '1', 'x627: zoom 0.01');
  assert.equal(zoom(panel), undefined, 'zoomed out beside text that shows');
});

test('deep22: nothing is hit-tested while nothing changes; one frame is asked for at a time; the shim\'s own writes are no change', () => {
  const p = page();
  p.look(); p.look();
  p.run('hitTests = 0; asked = 0');
  for (let i = 0; i < 7; i++) p.look();
  assert.ok(p.run('asked') <= 1 && p.run('hitTests') <= 12, `idle: ${p.run('asked')} frames, ${p.run('hitTests')} hit tests in 7 looks`);
  // a frame that is not rendered (hidden by the desktop): one request waits
  p.run('asked = 0');
  for (let i = 0; i < 10; i++) { p.run('rawInsert.call(deep, mk("p"), null); deliver()'); p.interval(); }
  assert.equal(p.run('asked'), 1);
  // a cover hidden: its marks and the hit test's pointer events are ours
  const q = page();
  q.run('var c = el({ backgroundColor: "rgb(255, 255, 255)" }); rawInsert.call(deep, c, null)');
  stack(q, 'c');
  q.look(); q.look();
  assert.equal(hiddenAt(q, 'c'), true);
  q.run('asked = 0; hitTests = 0');
  q.look(); q.look(); q.look();
  assert.equal(q.run('asked'), 0, 'no change after the hide');
});
