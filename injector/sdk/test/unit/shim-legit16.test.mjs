// legit16 (docs/framebusting-passes.md, x520-x533): the blanking guard's
// stand-in ends right after the page's own insertion, nodes the page keeps
// in its own fragment stay there, script text is not content, a lock
// banner beside a hidden body keeps the hide, a CSS fade-in is waited for.
// The small live DOM of shim-pass17.test.mjs, with a few additions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

const DOM = LIVE_DOM + `
  function getComputedStyle(e) {
    var v = function (k, d) { return e.style.p[k] || e.sheet[k] || d; };
    return { display: v('display', 'block'), visibility: v('visibility', 'visible'), opacity: v('opacity', '1'), contentVisibility: 'visible', clipPath: 'none', transform: 'none', position: e.sheet.position || 'static' };
  }
  // legit16 additions: copies, rendered text, a text walker, CSS animations
  NP.cloneNode = function (deep) {
    var c = Object.create(Object.getPrototypeOf(this));
    c.nodeType = this.nodeType; c.localName = this.localName; c.data = this.data; c.style = new Style(); c.sheet = {}; c.childNodes = [];
    if (deep) this.childNodes.forEach(function (k) { c.appendChild(k.cloneNode(true)); });
    return c;
  };
  Object.defineProperty(EP, 'innerText', { get: function () { return this.textContent; } });
  Object.defineProperty(EP, 'firstElementChild', { get: function () { return this.childNodes.filter(function (c) { return c.nodeType === 1; })[0] || null; } });
  Object.defineProperty(EP, 'nextElementSibling', { get: function () { for (var n = this.nextSibling; n; n = n.nextSibling) if (n.nodeType === 1) return n; return null; } });
  function walker(root) {
    var list = [];
    (function walk(n) { n.childNodes.forEach(function (c) { if (c.nodeType === 3) list.push(c); else walk(c); }); })(root);
    return { nextNode: function () { return list.shift() || null; } };
  }
  function CSSAnimation() {}
  EP.getAnimations = function () { return this.anims || []; };
`;

const page = (opts) => livePage(DOM, shim, opts);

const KIDS = 'body.childNodes.map(function (c) { return c.localName || c.data; }).join()';
const EMPTY = 'while (body.firstChild) body.removeChild(body.firstChild)';

test('legit16: the restored page goes as the page inserts its next view, before its next statement (x520)', () => {
  const p = page();
  p.run(EMPTY);
  p.later(250);
  assert.equal(p.run(KIDS), 'div,a,script', 'the blanking was undone');
  // no observer delivery in between: the page's getElementById must not find the old view
  assert.equal(p.run('body.appendChild(mk("main", [text("Marco Verdi")])); ' + KIDS), 'main');
  // a toast (positioned, small) next to an empty root of the page's own keeps the stand-in; an app root covering the viewport ends it (x522)
  const q = page();
  q.run(EMPTY);
  q.later(250);
  q.run('var root = mk("main"); root.getBoundingClientRect = function () { return { left: 0, top: 0, width: 0, height: 0, right: 0, bottom: 0 }; }; body.appendChild(root)');
  q.run('var toast = mk("div", [text("Saved")]); toast.sheet.position = "fixed"; body.appendChild(toast)');
  assert.equal(q.run(KIDS), 'div,a,script,main,div');
  q.run('var vp = mk("div", [text("App")]); vp.sheet.position = "absolute"; vp.getBoundingClientRect = function () { return { left: 0, top: 0, width: 800, height: 600, right: 800, bottom: 600 }; }; body.appendChild(vp)');
  assert.equal(q.run(KIDS), 'main,div,div');
});

test('legit16: nodes the page moved into its own fragment stay there; copies come back (x525)', () => {
  const p = page();
  p.run('var f = new DocumentFragment(); f.nodeType = 11; f.childNodes = []; while (body.firstChild) f.appendChild(body.firstChild)');
  p.later(250);
  assert.equal(p.run(KIDS), 'div,a,script', 'the page shows again');
  assert.equal(p.run('f.childNodes.length'), 3, 'the fragment still holds the originals');
  assert.equal(p.run('f.childNodes[0] === marker && body.firstChild !== marker'), true);
  p.run('var lay = mk("section"); lay.appendChild(f); body.insertBefore(lay, body.firstChild)');
  p.run('deliver()');
  assert.equal(p.run('body.textContent.indexOf("CRM page ok")'), 0, 'the page re-parents its own nodes');
});

test('legit16: script text is not content; invisible nodes added while blank stay (side finding)', () => {
  const p = page();
  p.run('document.createTreeWalker = walker');
  p.run('body.removeChild(marker); body.removeChild(nav)'); // the buster keeps its inline script
  p.later(250);
  assert.equal(p.run(KIDS), 'div,a,script');
  assert.equal(p.w.__crmframe.stats.blank, 1);
  const q = page();
  q.run('document.createTreeWalker = walker');
  q.run(EMPTY + '; body.appendChild(mk("template"))');
  q.later(250);
  assert.equal(q.run(KIDS), 'div,a,script,template');
  // without the walker (old engines) the script's text still counts: nothing undone
  const r = page();
  r.run('body.removeChild(marker); body.removeChild(nav)');
  r.later(250);
  assert.equal(r.run(KIDS), 'script');
});

test('legit16: a body hidden under a lock banner appended to <html> stays hidden (x527)', () => {
  const p = page();
  p.loaded();
  p.interval();
  p.run('html.appendChild(mk("div", [text("Session locked")])); body.sheet.display = "none"');
  p.interval();
  p.tick(250);
  assert.equal(p.run('getComputedStyle(body).display'), 'none');
  assert.equal(p.w.__crmframe.stats.unhide, undefined);
  // an empty element beside it does not count
  const q = page();
  q.loaded();
  q.interval();
  q.run('html.appendChild(mk("div")); body.sheet.display = "none"');
  q.interval();
  q.tick(250);
  assert.equal(q.run('getComputedStyle(body).display'), 'block');
});

test('legit16: a CSS fade-in is waited for; a fade that ends hidden or keeps the page hidden is lifted (x531)', () => {
  const anim = (to, end) => `var T = 1e6; Date.now = function () { return T; }; var a = new CSSAnimation(); a.playState = "running"; a.playbackRate = 1;
    a.effect = { pseudoElement: null, getComputedTiming: function () { return { endTime: ${end}, localTime: 1000 }; }, getKeyframes: function () { return [{ opacity: "0" }, { opacity: "${to}" }]; } };
    body.anims = [a]; body.sheet.opacity = "0"`;
  const p = page();
  p.loaded();
  p.interval();
  p.run(anim('1', 4000));
  p.interval();
  p.tick(250);
  assert.equal(p.run('getComputedStyle(body).opacity'), '0', 'waited for');
  // the animation ended but the page is still transparent: lifted then
  p.run('body.anims = []; T += 3000');
  p.tick(3050);
  assert.equal(p.run('getComputedStyle(body).opacity'), '1');
  const q = page();
  q.loaded();
  q.interval();
  q.run(anim('0', 4000)); // ends hidden (x396, x516)
  q.interval();
  q.tick(250);
  assert.equal(q.run('getComputedStyle(body).opacity'), '1');
  const r = page();
  r.loaded();
  r.interval();
  r.run(anim('1', 60000)); // ends far away
  r.interval();
  r.tick(250);
  assert.equal(r.run('getComputedStyle(body).opacity'), '1');
});
