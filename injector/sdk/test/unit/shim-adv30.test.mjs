// Pass 30 (adv30): covers the nets never saw. A blank layer in a shadow
// tree (x970-x972): the document's hit tests answer its host, which holds
// the page's text too, and no record of a change in a shadow tree reached
// the deep watch. A blank top-layer element that takes clicks (x973-x975):
// a modal's business until now, also an empty one over an opaque
// ::backdrop. And a.frames[0][k] on any a (x977), served or built at run
// time, reads the child's real top.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEEP_DOM, livePage, framedPage, FORM_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// deep22's page (observers, frames, a hit test a test can answer), plus
// shadow roots: attachShadow makes one (nodeType 11, its own hit tests:
// hit is what elementFromPoint answers in it, list what elementsFromPoint
// lists); inRoot(r, e) puts e in r as connected (the host does not contain
// it); and a modal <dialog> (dialog(styles, rect)).
const DOM = DEEP_DOM + `
  function attr(t, name) { observers.forEach(function (o) { if (watches(o, t, 'attributes', name)) queue.push([o, { type: 'attributes', target: t, attributeName: name, addedNodes: [], removedNodes: [] }]); }); }
  document.querySelectorAll = function () { return []; };
  EP.attachShadow = function (o) {
    var r = mk('#root'); r.nodeType = 11; r.host = this; r.mode = o.mode; r.hit = null; r.list = [];
    r.addEventListener = function () {};
    r.elementFromPoint = function () { return r.hit; };
    r.elementsFromPoint = function (x, y) { return typeof r.list === 'function' ? r.list(x, y) : r.list; };
    if (o.mode === 'open') this.shadowRoot = r;
    return r;
  };
  function inRoot(r, e) { r.appendChild(e); Object.defineProperty(e, 'isConnected', { value: true }); e.getRootNode = function () { return r; }; return e; }
  var customElements = { defs: {}, define: function (n, C) { this.defs[n] = C; } };
  // served: the parser attaches the root and connects the rewriter's marker
  // (no attribute) first in it
  function served(host, mode) {
    var r = EP.attachShadow.call(mk('div'), { mode: 'open' }); r.host = host; r.mode = mode;
    customElements.defs['crmframe-dsd'].prototype.connectedCallback.call({ getRootNode: function () { return r; }, remove: function () {}, hasAttribute: EP.hasAttribute });
    return r;
  }
  var closes = 0;
  function dialog(cs, rect) {
    var e = el(cs, rect, 'dialog');
    e.matches = function (q) { return !!this.open && /:modal/.test(q); };
    e.close = function () { this.open = false; closes++; };
    return e;
  }
`;

const hiddenAt = (p, v) => p.run(`getComputedStyle(${v}).visibility`) === 'hidden';
const page = () => {
  const p = livePage(DOM, shim);
  p.loaded();
  p.look = () => { p.run('deliver()'); p.interval(); p.run('runFrames()'); p.tick(0); };
  p.look();
  return p;
};

test('adv30: a blank layer taking the clicks in a closed shadow root is found through its host and hidden (x970, x972)', () => {
  const p = page();
  p.run(`var root = shell.attachShadow({ mode: 'closed' });
    var c = inRoot(root, el({ pointerEvents: 'auto', backgroundColor: 'rgb(255, 255, 255)' }));
    root.hit = c; hitOver = function () { return shell; }; attr(shell, 'class')`);
  p.look();
  assert.equal(hiddenAt(p, 'c'), false, 'one look is not enough');
  p.look();
  assert.equal(hiddenAt(p, 'c'), true, 'the cover in the shadow tree is hidden');
  assert.equal(p.w.__crmframe.stats.unhide, 1);
  // a web component's overlay showing a message stays (x976)
  const q = page();
  q.run(`var root = shell.attachShadow({ mode: 'closed' });
    var o = inRoot(root, el({ pointerEvents: 'auto', backgroundColor: 'rgb(255, 255, 255)' }));
    o.appendChild(text('Welcome back'));
    root.hit = o; hitOver = function () { return shell; }; attr(shell, 'class')`);
  q.look(); q.look(); q.look();
  assert.equal(hiddenAt(q, 'o'), false, 'an overlay with text stays');
});

test('adv30: a served closed declarative root is kept as closed (its marker has no attribute): a blank layer in it is hidden (x972)', () => {
  const p = page();
  p.run(`var root = served(shell, 'closed');
    var c = inRoot(root, el({ pointerEvents: 'auto', backgroundColor: 'rgb(255, 255, 255)' }));
    root.hit = c; hitOver = function () { return shell; }; attr(shell, 'class')`);
  p.look(); p.look();
  assert.equal(hiddenAt(p, 'c'), true);
});

test('adv30: a blank layer taking no clicks in a shadow root is hit-tested in its tree (x971)', () => {
  const p = page();
  p.run(`var root = shell.attachShadow({ mode: 'open' });
    var c = inRoot(root, el({ backgroundColor: 'rgb(255, 255, 255)' }));
    stackAt = function () { return [shell, marker, body]; };
    root.list = [c, marker, shell, body]`);
  p.look(); p.look();
  assert.equal(hiddenAt(p, 'c'), true, 'over the page text in its tree');
  // under the page's text in its tree: stays
  const q = page();
  q.run(`var root = shell.attachShadow({ mode: 'open' });
    var c = inRoot(root, el({ backgroundColor: 'rgb(255, 255, 255)', zIndex: '0' }));
    stackAt = function () { return [shell, marker, body]; };
    root.list = function (x, y) { return [efp.call(document, x, y), c, shell, body]; }`);
  q.look(); q.look(); q.look();
  assert.equal(hiddenAt(q, 'c'), false, 'a backdrop under the text stays');
});

test('adv30: the deep watch observes the shadow roots the shim sees, and a restyled host\'s root is looked into (x972)', () => {
  const p = page();
  p.run(`var root = shell.attachShadow({ mode: 'closed' })`);
  p.look();
  assert.equal(p.run('observers.some(function (o) { return (o.opts || []).some(function (x) { return x[0] === root && x[1].subtree && x[1].attributes; }); })'), true);
  // a layer taking no clicks, shown by a class on the host (:host(.on))
  p.run(`var c = el({ backgroundColor: 'rgb(255, 255, 255)' }); c.cs.display = 'none'; rawInsert.call(root, c, null);
    Object.defineProperty(c, 'isConnected', { value: true }); c.getRootNode = function () { return root; };
    stackAt = function () { return [shell, marker, body]; }; root.list = [c, marker, shell, body]`);
  p.look(); p.look();
  p.run(`c.cs.display = 'block'; attr(shell, 'class')`);
  p.look(); p.look();
  assert.equal(hiddenAt(p, 'c'), true, 'hidden once its host is restyled');
});

test('adv30: a blank top-layer element taking clicks over the page is hidden, an empty modal closed (x973-x975); ones showing something stay', () => {
  const run = (code) => {
    const p = page();
    p.run(`var c = (function () { ${code} })()`);
    p.look();
    const first = hiddenAt(p, 'c');
    p.look();
    return { p, first, hidden: hiddenAt(p, 'c') };
  };
  const pop = run("var e = el({ pointerEvents: 'auto', backgroundColor: 'rgb(255, 255, 255)' }); e.setAttribute('popover', 'manual'); body.appendChild(e); e.showPopover(); return e");
  assert.deepEqual([pop.first, pop.hidden], [false, true], 'x973: a blank white popover');
  const bd = run("var e = el({ pointerEvents: 'auto' }, [-10000, 0, 1, 1]); e.setAttribute('popover', 'manual'); e.backdrop = { backgroundColor: 'rgb(255, 255, 255)' }; body.appendChild(e); e.showPopover(); return e");
  assert.equal(bd.hidden, true, 'x975: an empty popover off-screen over a white ::backdrop');
  assert.equal(bd.p.run('getComputedStyle(c, "::backdrop").display'), 'none');
  const dl = run("var e = dialog({ pointerEvents: 'auto' }, [-10000, 0, 1, 1]); e.backdrop = { backgroundColor: 'rgb(255, 255, 255)' }; body.appendChild(e); e.open = true; return e");
  assert.equal(dl.hidden, true, 'x974: an empty modal off-screen over a white ::backdrop');
  assert.equal(dl.p.run('closes'), 1, 'the empty modal is closed (the page would stay inert)');
  // legitimate: a modal with a message over a dimmed or white backdrop, a
  // popover with text, a popover over a dim
  for (const [name, code] of Object.entries({
    'a confirmation over a dim': "var e = dialog({ pointerEvents: 'auto', backgroundColor: 'rgb(255, 255, 255)' }, [250, 200, 300, 200]); e.appendChild(text('Saved.')); e.backdrop = { backgroundColor: 'rgba(0, 0, 0, 0.5)' }; body.appendChild(e); e.open = true; return e",
    'x978: a full-screen wizard with its step': "var e = dialog({ pointerEvents: 'auto', backgroundColor: 'rgb(255, 255, 255)' }); e.appendChild(text('Step 1')); e.backdrop = { backgroundColor: 'rgb(255, 255, 255)' }; body.appendChild(e); e.open = true; return e",
    'a full-screen popover menu with entries': "var e = el({ pointerEvents: 'auto', backgroundColor: 'rgb(255, 255, 255)' }); e.appendChild(text('Settings')); e.setAttribute('popover', 'auto'); body.appendChild(e); e.showPopover(); return e",
    'an empty popover over a dim': "var e = el({ pointerEvents: 'auto' }, [0, 0, 1, 1]); e.setAttribute('popover', 'manual'); e.backdrop = { backgroundColor: 'rgba(0, 0, 0, 0.4)' }; body.appendChild(e); e.showPopover(); return e",
  })) {
    const r = run(code);
    r.p.look();
    assert.equal(hiddenAt(r.p, 'c'), false, name);
    assert.equal(r.p.run('closes'), 0, name);
  }
});

test('adv30: code built at run time: a.frames[i][k] on any a wraps the child key, not the index (x977)', () => {
  const timers = [];
  const { w } = framedPage(FORM_DOM + 'var document = new Document(); document.readyState = "loading"; document.currentScript = null;', shim, {}, { setTimeout: (c) => { timers.push(c); return 1; } });
  const K = '(globalThis.__crmframe_key||(x=>x))(';
  w.setTimeout("return a.frames[0][k] || b.frames?.[i]?.[k]; a.frames[0]['x']; a.frames[n].x; arr[0][k]", 1);
  assert.deepEqual(timers, ['return a.frames[0][' + K + 'k)] || b.frames?.[i]?.[' + K + "k)]; a.frames[0]['x']; a.frames[n].x; arr[0][k]"]);
});
