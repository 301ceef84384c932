// Legitimate pages, seventh pass (x570–x589): what the hide net, the blob:
// swap and the history guard must leave alone — a translucent watermark
// tile, a backdrop under a positioned app, a boot curtain turned scrim, an
// oklch fade mask and an SVG window mask, a blur behind a popover holding
// only an iframe, a blob read back with fetch/XHR, Forward through a
// same-origin child frame's entries, a body with pointer-events: none
// during a drag — while the busting forms stay lifted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, SHEET_DOM, IMAGE_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// Computed style: inline, the page's sheet (e.sheet, e.pseudo), the net's
// adopted rules. The hit test finds a pseudo-element listed in `layers`
// ('front' or 'behind' the text) when it takes pointer events, else the
// marker unless its text takes none (inherited from body), else html; after
// the net's all:revert the marker. Images decode when the test says so
// (decode), with the mean alpha it gives; canvases read that back.
const DOM = LIVE_DOM + SHEET_DOM + `
  var netText = function () { return adopted.map(function (s) { return s.text; }).join(''); };
  var camel = function (k) { return k.replace(/-([a-z])/g, function (x, c) { return c.toUpperCase(); }); };
  var net = function (e, pseudo) {
    var o = {};
    (netText().match(/[^{}]+\\{[^{}]*\\}/g) || []).forEach(function (r) {
      var m = /^(.*)\\{([a-z-]+):(.*) !important\\}$/.exec(r), sel = m[1], ps = /::(before|after)$/.exec(sel);
      if ((/> body/.test(sel) ? 'body' : 'html') !== e.localName || (ps ? '::' + ps[1] : '') !== (pseudo || '')) return;
      o[camel(m[2])] = m[3];
    });
    return o;
  };
  var pe = function (e) { for (; e && e.nodeType === 1; e = e.parentNode) if (e.sheet && e.sheet.pointerEvents) return e.sheet.pointerEvents; return 'auto'; };
  function getComputedStyle(e, pseudo) {
    var n = net(e, pseudo);
    if (pseudo) {
      var p = Object.assign({ content: 'none', display: 'inline', position: 'static', opacity: '1', zIndex: 'auto', width: 'auto', height: 'auto', backgroundColor: 'rgba(0, 0, 0, 0)', backgroundImage: 'none', boxShadow: 'none', backdropFilter: 'none', visibility: 'visible', pointerEvents: pe(e) }, (e.pseudo || {})[pseudo] || {});
      if (n.display === 'none') p.display = 'none';
      if (n.pointerEvents) p.pointerEvents = n.pointerEvents;
      return p;
    }
    var s = e.sheet || {}, v = function (k, d) { return (e.style && e.style.p[k]) || s[camel(k)] || d; };
    var cs = { display: v('display', 'block'), visibility: v('visibility', 'visible'), opacity: v('opacity', '1'), contentVisibility: 'visible', clipPath: 'none', transform: 'none',
      filter: v('filter', 'none'), maskImage: v('mask-image', 'none'), webkitMaskImage: v('-webkit-mask-image', 'none'), color: v('color', 'rgb(0, 0, 0)'), textShadow: 'none', webkitTextStrokeWidth: '0px', pointerEvents: pe(e) };
    cs.webkitTextFillColor = cs.color;
    return cs;
  }
  var layers = {}, hits = [];
  document.elementFromPoint = function () {
    var behind = null;
    for (var k in layers) {
      var m = k.split('::'), e = m[0] === 'html' ? html : body, ps = getComputedStyle(e, '::' + m[1]);
      if (ps.content === 'none' || ps.display === 'none' || ps.pointerEvents === 'none') continue;
      hits.push(k + ' ' + ps.pointerEvents);
      if (layers[k] === 'front') return e;
      behind = e;
    }
    return pe(marker) !== 'none' || /all:revert/.test(netText()) ? marker : behind || html;
  };
  Document.prototype.createTreeWalker = function (root) {
    var list = [], i = 0;
    (function walk(n) { n.childNodes.forEach(function (c) { if (c.nodeType === 3) list.push(c); else walk(c); }); })(root);
    return { nextNode: function () { return list[i++] || null; } };
  };
  Document.prototype.createRange = function () {
    return { selectNodeContents: function () {}, getClientRects: function () { return [{ left: 8, top: 8, width: 90, height: 18, right: 98, bottom: 26 }]; } };
  };
` + IMAGE_DOM('0, 0, 0', 220) + `
  Document.prototype.createElement = function (n) { return n === 'canvas' ? new HTMLCanvasElement() : mk(n); };
  var popovers = [];
  Document.prototype.querySelectorAll = function (q) { return q === ':popover-open' ? popovers : []; };
  Document.prototype.querySelector = function (q) { return q === ':popover-open' ? popovers[0] || null : null; };
`;

const page = (opts) => livePage(DOM, shim, opts);
const NET = 'netText()';

// the page changes a computed value after load; the net looks at its next
// 250 ms tick and acts 250 ms later
function hidden(set, p = page()) {
  p.loaded();
  p.interval(); // first look: the state at load
  p.run(set);
  p.interval();
  p.tick(250);
  return p;
}
const COVER = { content: '""', position: 'fixed', width: '800px', height: '600px', zIndex: '2147483647', pointerEvents: 'none' };
const SVG = 'data:image/svg+xml,%3Csvg%3E%3C/svg%3E';
const PSEUDO_NONE = /::(before|after)\{display:none !important\}/;

test('legit17 x570: a watermark tile is measured (mean alpha of the decoded image) and stays; an opaque image over the page is a cover', () => {
  const tile = { ...COVER, backgroundImage: `url("${SVG}")` };
  const p = hidden(`layers['body::after'] = 'front'; body.pseudo = { '::after': ${JSON.stringify(tile)} }`);
  assert.doesNotMatch(p.run(NET), PSEUDO_NONE, 'not judged before the image is decoded');
  assert.equal(p.run('images.length'), 1);
  p.run(`decode(${JSON.stringify(SVG)}, 0.07)`);
  assert.doesNotMatch(p.run(NET), PSEUDO_NONE);
  assert.equal(p.w.__crmframe.stats.unhide, undefined);
  p.interval(); p.tick(250);
  assert.equal(p.run('images.length'), 1, 'decoded once per URL');
  // the same tile drawn opaque (a white PNG), and an image no canvas can read
  for (const ink of [1, null]) {
    const q = hidden(`layers['body::after'] = 'front'; body.pseudo = { '::after': ${JSON.stringify(tile)} }`);
    q.run(`decode(${JSON.stringify(SVG)}, ${ink})`);
    assert.match(q.run(NET), /> body:not\(#crmframe-net\)::after\{display:none !important\}/, String(ink));
    assert.equal(q.w.__crmframe.stats.unhide, 1);
    assert.doesNotMatch(q.run(NET), /pointer-events/, 'the hit test\'s rule is gone again');
    assert.deepEqual([...q.run('hits')], ['body::after auto'], 'hit-tested with pointer events of its own for a moment');
  }
  // layers stack: a translucent colour under a translucent gradient
  for (const [bg, img, cover] of [
    ['rgba(255, 255, 255, 0.3)', 'linear-gradient(rgba(0, 0, 0, 0.1), rgba(0, 0, 0, 0.1))', false],
    ['rgba(255, 255, 255, 0.3)', 'linear-gradient(rgba(0, 0, 0, 0.4), rgba(0, 0, 0, 0.4))', true],
    ['rgba(0, 0, 0, 0)', 'linear-gradient(oklch(1 0 0), oklch(0.9 0 0 / 0.9))', true],
    ['rgba(0, 0, 0, 0)', 'radial-gradient(rgba(0, 0, 0, 0) 60%, rgba(0, 0, 0, 0.6))', false],
  ]) {
    const q = hidden(`layers['html::after'] = 'front'; html.pseudo = { '::after': ${JSON.stringify({ ...COVER, backgroundColor: bg, backgroundImage: img })} }`);
    assert.equal(PSEUDO_NONE.test(q.run(NET)), cover, img);
  }
});

test('legit17 x571: an opaque pseudo-element the page\'s text is hit-tested over (a backdrop under a positioned app) stays; one over the text goes', () => {
  const bg = { ...COVER, zIndex: '0', pointerEvents: 'auto', backgroundImage: 'linear-gradient(135deg, rgb(224, 242, 254) 0%, rgb(248, 250, 252) 60%)' };
  const under = hidden(`layers['body::before'] = 'behind'; body.pseudo = { '::before': ${JSON.stringify(bg)} }`);
  assert.doesNotMatch(under.run(NET), PSEUDO_NONE);
  assert.equal(under.w.__crmframe.stats.unhide, undefined);
  assert.equal(under.run('document.adoptedStyleSheets.length'), 0, 'the sheet adopted for the hit test is gone again');
  const over = hidden(`layers['body::before'] = 'front'; body.pseudo = { '::before': ${JSON.stringify(bg)} }`);
  assert.match(over.run(NET), /> body:not\(#crmframe-net\)::before\{display:none !important\}/);
  // x547's form: white, pointer-events none, over everything
  const w = hidden(`layers['html::after'] = 'front'; html.pseudo = { '::after': ${JSON.stringify({ ...COVER, backgroundColor: 'rgb(255, 255, 255)' })} }`);
  assert.match(w.run(NET), /:root(:not\(#crmframe-net\)){3}::after\{display:none !important\}/);
});

test('legit17 x587: a pseudo-element drawn at load is a boot curtain left for 2 s; then judged, and its rule goes when it turns into a scrim', () => {
  const curtain = { ...COVER, zIndex: '40', pointerEvents: 'auto', backgroundColor: 'rgb(255, 255, 255)' };
  const p = page();
  p.run(`var T = 1000; Date.now = function () { return T; }; layers['body::before'] = 'front'; body.pseudo = { '::before': ${JSON.stringify(curtain)} }`);
  p.loaded(); // the first look, 250 ms after load
  p.interval();
  p.run('T = 1500');
  p.tick(250);
  assert.doesNotMatch(p.run(NET), PSEUDO_NONE, 'the curtain stays while the app boots');
  // still there 2 s after load: a cover like any other
  p.run('T = 3050');
  p.tick(2050);
  assert.match(p.run(NET), /> body:not\(#crmframe-net\)::before\{display:none !important\}/);
  assert.equal(p.w.__crmframe.stats.unhide, 1);
  // the same pseudo-element becomes a translucent scrim: the rule goes at the next look
  p.run(`body.pseudo['::before'].backgroundColor = 'rgba(15, 23, 42, 0.45)'`);
  p.interval();
  assert.doesNotMatch(p.run(NET), PSEUDO_NONE);
  // a cover that appears after load gets no such wait
  const late = page();
  late.run('var T = 1000; Date.now = function () { return T; }');
  hidden(`T = 1400; layers['body::after'] = 'front'; body.pseudo = { '::after': ${JSON.stringify(curtain)} }`, late);
  assert.match(late.run(NET), PSEUDO_NONE);
});

test('legit17 x572, x573: an oklch fade mask and a measured SVG mask stay; masks with nothing opaque are lifted', () => {
  const kept = (v, then = '') => {
    const p = hidden(`body.sheet.maskImage = ${JSON.stringify(v)}`);
    if (then) p.run(then);
    assert.equal(p.run('body.style.p["mask-image"]'), undefined, v);
    assert.equal(p.w.__crmframe.stats.unhide, undefined, v);
  };
  const lifted = (v, then = '') => {
    const p = hidden(`body.sheet.maskImage = ${JSON.stringify(v)}`);
    if (then) p.run(then);
    assert.equal(p.run('body.style.p["mask-image"]'), 'none', v);
    assert.equal(p.w.__crmframe.stats.unhide, 1, v);
  };
  kept('linear-gradient(oklch(0 0 0) 90%, rgba(0, 0, 0, 0))');
  kept('linear-gradient(color(srgb 0 0 0) 90%, transparent)');
  kept(`url("${SVG}")`, `decode(${JSON.stringify(SVG)}, 0.93)`);
  kept(`url("${SVG}")`); // not decoded yet: not judged
  lifted('linear-gradient(oklch(0 0 0 / 0) 90%, transparent)');
  lifted('linear-gradient(rgb(0 0 0 / 2%), transparent)');
  lifted(`url("${SVG}")`, `decode(${JSON.stringify(SVG)}, 0)`);
  lifted(`url("${SVG}"), linear-gradient(transparent, transparent)`, `decode(${JSON.stringify(SVG)}, 0.01)`);
  // an in-page <mask> is no image to load (no request for the page itself)
  const m = hidden('body.sheet.maskImage = \'url("#m")\'');
  assert.equal(m.run('body.style.p["mask-image"]'), 'none');
  assert.equal(m.run('images.length'), 0);
});

test('legit17 x576: a blur stays while any open popover shows text, a frame or a control; an empty one does not keep it', () => {
  const sheet = 'popovers = [mk("div", [mk("iframe")]), mk("div")]';
  const p = hidden(`${sheet}; body.sheet.filter = "blur(10px)"`);
  assert.equal(p.run('body.style.p.filter'), undefined);
  // the toast with text is the second one
  const t = hidden('popovers = [mk("div"), mk("div", [text("Saved")])]; body.sheet.filter = "blur(10px)"');
  assert.equal(t.run('body.style.p.filter'), undefined);
  const e = hidden('popovers = [mk("div"), mk("div")]; body.sheet.filter = "blur(10px)"');
  assert.equal(e.run('body.style.p.filter'), 'none');
  assert.equal(e.w.__crmframe.stats.unhide, 1);
});

test('legit17 x588: text that takes no pointer events is not judged by the geometric look; clipped text that does still gets html/body reverted', () => {
  const look = (set) => {
    const p = page();
    p.run(set);
    p.loaded(); // the first look
    p.tick(250); // the second, 250 ms later
    return p;
  };
  const drag = look('body.sheet.pointerEvents = "none"; layers = {}');
  assert.doesNotMatch(drag.run(NET), /all:revert/);
  assert.equal(drag.w.__crmframe.stats.unhide, undefined);
  // x441's form: in view, found by no hit test
  const clip = look('marker.sheet.pointerEvents = "auto"; body.sheet.pointerEvents = "none"; document.elementFromPoint = (function (f) { return function () { return /all:revert/.test(netText()) ? marker : html; }; })()');
  assert.match(clip.run(NET), /all:revert/);
  assert.equal(clip.w.__crmframe.stats.unhide, 1);
});

// Blobs and history: a text/html blob is swapped (x500), its URL read back
// with fetch or XHR gets the page's bytes; Back/Forward count the entries
// of the CRM's same-origin child frames.
const NAV_DOM = DOM + `
  var blobs = {}, nextBlob = 0, fetched = [], steps = [];
  function Blob(parts, o) { this._bytes = parts.map(function (p) { return typeof p === 'string' ? p : String.fromCharCode.apply(null, p); }).join(''); this._type = o && o.type || ''; }
  Object.defineProperty(Blob.prototype, 'type', { get: function () { return this._type; }, configurable: true });
  Object.defineProperty(Blob.prototype, 'size', { get: function () { return this._bytes.length; }, configurable: true });
  Blob.prototype.slice = function (a, b) { var x = new Blob([]); x._bytes = this._bytes.slice(a, b); return x; };
  var URL = function (u, base) { this.href = /^[a-z]+:/.test(u) ? String(u) : base.replace(/[^/]*$/, '') + u; };
  URL.prototype.toString = function () { return this.href; };
  URL.createObjectURL = function (b) { var u = 'blob:http://crm.test/' + (++nextBlob); blobs[u] = b; return u; };
  URL.revokeObjectURL = function (u) { delete blobs[u]; };
  function XMLHttpRequest() {}
  XMLHttpRequest.prototype.open = function (m, u) { this._u = String(u); };
  XMLHttpRequest.prototype.overrideMimeType = function () {};
  XMLHttpRequest.prototype.send = function () { this._bytes = blobs[this._u]._bytes; };
  Object.defineProperty(XMLHttpRequest.prototype, 'responseText', { get: function () { return this._bytes; }, configurable: true });
  function Request(u) { this.url = u instanceof Request ? u.url : String(u); }
  function fetch(input) { var u = input instanceof Request ? input.url : String(input); fetched.push(u); return blobs[u]._bytes; }
  document.baseURI = 'http://crm.test/a.html';
  document.currentScript = { getAttribute: function () { return null; }, src: 'http://crm.test/__crmframe/sdk.js?v=1', nonce: '',
    outerHTML: '<script src="/__crmframe/sdk.js?v=1"></script>' };
  function History() {}
  History.prototype.back = function () { steps.push('back'); };
  History.prototype.forward = function () { steps.push('forward'); };
  History.prototype.go = function (n) { steps.push(n); };
  var history = new History();
  var nav = function (i, n) { return { currentEntry: { index: i }, entries: function () { return new Array(n); } }; };
  var navigation = nav(1, 2);
`;

test('legit17 x579, x580: a swapped blob URL read back with fetch, a Request or XHR gives the page\'s own bytes; a document still loads the swapped copy', () => {
  const p = livePage(NAV_DOM, shim);
  const html = '<!doctype html><p>Dear Sig.ra Galli</p>';
  const u = p.run(`var u = URL.createObjectURL(new Blob([${JSON.stringify(html)}], { type: 'text/html' })); u`);
  assert.match(p.run('blobs[u]._bytes'), /__crmframe\/sdk\.js/, 'a frame loading u runs the shim');
  assert.equal(p.run('fetch(u)'), html);
  assert.equal(p.run('fetch(new URL(u))'), html);
  assert.equal(p.run('fetch(new Request(u))'), html);
  assert.equal(p.run('var x = new XMLHttpRequest(); x.open("GET", u); x.send(); x.responseText'), html);
  // the wrappers answer as the originals do
  assert.equal(p.run('fetch.name + fetch.length'), 'fetch1');
  assert.match(p.run('XMLHttpRequest.prototype.open.toString()'), /this\._u = String\(u\)/);
  // other URLs pass as they are; a revoked URL reads nothing
  const plain = p.run('var t = URL.createObjectURL(new Blob(["a,b"], { type: "text/csv" })); t');
  assert.equal(p.run('fetch(t)'), 'a,b');
  p.run('fetched.length = 0; URL.revokeObjectURL(u)');
  assert.throws(() => p.run('fetch(u)'));
  assert.deepEqual([...p.run('fetched')], [u], 'no longer mapped');
  assert.notEqual(plain, u);
});

test('legit17 x582: Back/Forward may step through a same-origin child frame\'s entries; cross-origin frames and the desktop stay unknown', () => {
  const p = livePage(NAV_DOM, shim);
  // the root at its last entry of two; the help frame at its first of two
  p.run('var frames = { length: 2, 0: { navigation: nav(0, 2), frames: { length: 0 } }, 1: { get navigation() { throw new Error("cross-origin"); }, frames: { length: 0 } } }');
  p.run('history.back(); history.forward(); history.go(1); history.go(2); history.go(-1); history.go(-2)');
  assert.deepEqual([...p.run('steps')], ['back', 'forward', 1, -1]);
  assert.equal(p.w.__crmframe.stats.history, 2);
  // a grandchild's entries count too (a help frame inside a panel frame)
  const q = livePage(NAV_DOM, shim);
  q.run('var frames = { length: 1, 0: { navigation: nav(0, 1), frames: { length: 1, 0: { navigation: nav(1, 3), frames: { length: 0 } } } } }');
  q.run('history.go(-2); history.go(-3); history.go(1); history.go(2)');
  assert.deepEqual([...q.run('steps')], [-2, 1]);
});
