// Tests of the shim against the seventeenth adversarial pass
// (docs/framebusting.md, x504–x517): blanking that no hooked method or
// setter sees, undone from the records of a MutationObserver on the
// children of the document, <html> and <body>; hides that change no
// attribute, found by the hide net's 250 ms look at computed values. A
// small live DOM in a vm realm whose observer records are delivered and
// timers run by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, shimRealm } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// fakes.mjs's live DOM; computed display/visibility/opacity come from the
// inline style, else from e.sheet (what a stylesheet gives: no attribute
// changes).
const DOM = LIVE_DOM + `
  function getComputedStyle(e) {
    var v = function (k, d) { return e.style.p[k] || e.sheet[k] || d; };
    return { display: v('display', 'block'), visibility: v('visibility', 'visible'), opacity: v('opacity', '1'), contentVisibility: 'visible', clipPath: 'none', transform: 'none' };
  }
  function MutationObserver(cb) { this.cb = cb; this.targets = []; observers.push(this); }
  MutationObserver.prototype.observe = function (t) { this.targets.push(t); };
  MutationObserver.prototype.disconnect = function () { this.targets = []; };
  MutationObserver.prototype.takeRecords = function () { var o = this, mine = queue.filter(function (q) { return q[0] === o; }); queue = queue.filter(function (q) { return q[0] !== o; }); return mine.map(function (q) { return q[1]; }); };
  // deliver: the observers' microtask, one batch per observer
  function deliver() { var q = queue; queue = []; observers.forEach(function (o) { var recs = q.filter(function (x) { return x[0] === o; }).map(function (x) { return x[1]; }); if (recs.length) o.cb(recs); }); }
  var document = new Document();
  document.nodeType = 9; document.childNodes = []; document.readyState = 'complete'; document.currentScript = null;
  Object.defineProperty(document, 'documentElement', { get: function () { return this.childNodes.filter(function (c) { return c.nodeType === 1; })[0] || null; } });
  Object.defineProperty(document, 'body', { get: function () { var h = this.documentElement; return h && h.childNodes.filter(function (c) { return c.localName === 'body'; })[0] || null; } });
  Object.defineProperty(document, 'head', { get: function () { var h = this.documentElement; return h && h.childNodes[0] || null; } });
  var marker = mk('div', [text('CRM page ok')]), nav = mk('a', [text('next')]);
  document.appendChild(mk('html', [mk('head'), mk('body', [marker, nav, mk('script', [text('var x = 1;')])])]));
  var body = document.body, html = document.documentElement;
`;

function page({ nested = false, mode = null } = {}) {
  const timers = [], load = [], every = [];
  const desk = { name: 'desk' };
  const crmRoot = { __crmframe: { marker: 'crmframe', realParent: desk } };
  const w = {
    console, WeakSet, WeakMap, URL,
    queueMicrotask: (f) => timers.push([f, 0]),
    setTimeout: (f, ms) => { timers.push([f, ms]); return timers.length; },
    setInterval: (f, ms) => { every.push([f, ms]); return every.length; },
    addEventListener: (n, f) => { if (n === 'load') load.push(f); },
    innerWidth: 800, innerHeight: 600, scrollX: 0, scrollY: 0,
    __crmframe_breakout: mode,
  };
  w.window = w;
  Object.defineProperty(w, 'top', { get: () => desk, enumerable: true });
  w.parent = nested ? crmRoot : desk;
  w.frameElement = null;
  w.location = { href: 'http://crm.test/a.html', protocol: 'http:', origin: 'http://crm.test' };
  const { run, tick } = shimRealm(w, DOM, shim, timers);
  // the observer's microtask, then the timers of that delay (and the
  // microtasks they queue)
  const later = (ms) => { run('deliver()'); tick(ms); tick(0); run('deliver()'); };
  const loaded = () => { load.forEach((f) => f()); tick(250); };
  const interval = () => every.forEach((e) => e[0]());
  return { w, run, later, loaded, interval, tick };
}

const KIDS = 'body.childNodes.map(function (c) { return c.localName || c.data; }).join()';

test('pass17: a body emptied child by child, by a range, moved into a fragment or a document emptied comes back when the page stays blank', () => {
  const cases = {
    'removeChild loop (x504)': 'while (body.firstChild) body.removeChild(body.firstChild)',
    'all at once, unhooked (x505, x507)': 'body.childNodes.slice().forEach(detach)',
    'body into a fragment (x510)': 'var f = new DocumentFragment(); f.nodeType = 11; f.childNodes = []; f.appendChild(body)',
    'body replaced by a text node (x506)': 'html.insertBefore(text(""), body); detach(body)',
    'document emptied, an empty html added (x508)': 'detach(html); document.appendChild(mk("html"))',
  };
  for (const [name, code] of Object.entries(cases)) {
    const p = page();
    p.run(code);
    assert.equal(p.run('document.body && document.body.textContent || ""'), '', name + ': the change itself happened');
    p.later(250);
    assert.equal(p.run('document.body === body && document.documentElement === html'), true, name);
    assert.equal(p.run(KIDS), 'div,a,script', name + ': in order');
    assert.equal(p.w.__crmframe.stats.blank, 1, name);
  }
});

test('pass17: clear-and-fill, real replacements, blank pages, nested frames and detect mode are left alone by the observer', () => {
  const kept = {
    'removeChild loop, then a new view': ['while (body.firstChild) body.removeChild(body.firstChild); body.appendChild(mk("main", [text("new view")]))', 'main'],
    'a new view 100 ms later, before the look': ['while (body.firstChild) body.removeChild(body.firstChild); deliver(); body.appendChild(mk("main", [text("later")]))', 'main'],
    'a message instead of the page': ['body.replaceChildren(mk("p", [text("Please open the CRM directly.")]))', 'p'],
  };
  for (const [name, [code, want]] of Object.entries(kept)) {
    const p = page();
    p.run(code);
    p.later(250);
    assert.equal(p.run(KIDS), want, name);
    assert.equal(p.w.__crmframe.stats.blank, undefined, name);
  }
  // a nested CRM frame empties its own body (a reading pane)
  const nested = page({ nested: true });
  nested.run('while (body.firstChild) body.removeChild(body.firstChild)');
  nested.later(250);
  assert.equal(nested.run(KIDS), '');
  // detect mode counts and keeps the change
  const det = page({ mode: 'detect' });
  det.run('while (body.firstChild) body.removeChild(body.firstChild)');
  det.later(250);
  assert.equal(det.run(KIDS), '');
  assert.equal(det.w.__crmframe.stats.blank, 1);
});

test('pass17: a hide by computed style alone (no attribute, no hook) is lifted after the next 250 ms look; a short one is not', () => {
  const p = page();
  p.loaded();
  p.interval(); // first look: the state at load
  // a stylesheet rule (CSSOM, :has(), a media switch) hides the body
  p.run('body.sheet.display = "none"');
  p.interval();
  p.tick(250);
  assert.equal(p.run('getComputedStyle(body).display'), 'block');
  assert.equal(p.w.__crmframe.stats.unhide, 1);
  // a hide the page takes back within 250 ms (a fade) is not touched
  const q = page();
  q.loaded();
  q.interval();
  q.run('body.sheet.opacity = "0"');
  q.interval();
  q.run('body.sheet.opacity = ""');
  q.tick(250);
  assert.equal(q.run('body.style.opacity'), '');
  assert.equal(q.w.__crmframe.stats.unhide, undefined);
});
