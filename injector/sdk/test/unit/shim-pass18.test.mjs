// Pass 18: paint-level hides of the page — a filter that flattens it, a
// mask with nothing opaque, transparent text, a pseudo-element cover of
// html/body — are lifted by the hide net when they stay 250 ms; dark mode,
// read-only grey, a light blur, a blur behind an open modal, a fading mask
// and a page taking its hide back stay as the page made them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, SHEET_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

const DOM = LIVE_DOM + SHEET_DOM + `
  // computed style: the inline style, then the page's sheet (e.sheet),
  // then the net's adopted rules (html/body, ::before/::after, !important)
  var net = function (e, pseudo) {
    var o = {}, who = e.localName === 'body' ? '> body' : '';
    adopted.forEach(function (s) {
      (s.text.match(/[^{}]+\{[^{}]*\}/g) || []).forEach(function (r) {
        var m = /^(.*)\{([a-z-]+):(.*) !important\}$/.exec(r), sel = m[1], ps = /::(before|after)$/.exec(sel);
        if ((/> body/.test(sel) ? 'body' : 'html') !== e.localName || (ps ? '::' + ps[1] : '') !== (pseudo || '')) return;
        o[m[2].replace(/-([a-z])/g, function (x, c) { return c.toUpperCase(); })] = m[3];
      });
    });
    return o;
  };
  var camel = function (k) { return k.replace(/-([a-z])/g, function (x, c) { return c.toUpperCase(); }); };
  function getComputedStyle(e, pseudo) {
    if (pseudo) {
      var p = Object.assign({ content: 'none', display: 'inline', position: 'static', opacity: '1', zIndex: 'auto', width: 'auto', height: 'auto', backgroundColor: 'rgba(0, 0, 0, 0)', backgroundImage: 'none', boxShadow: 'none', backdropFilter: 'none', visibility: 'visible' }, (e.pseudo || {})[pseudo] || {});
      var n = net(e, pseudo);
      if (n.display === 'none') p.display = 'none';
      return p;
    }
    var v = function (k, d) { return e.style.p[k] || e.sheet[camel(k)] || e.sheet[k] || d; };
    var cs = { display: v('display', 'block'), visibility: v('visibility', 'visible'), opacity: v('opacity', '1'), contentVisibility: 'visible', clipPath: 'none', transform: 'none',
      filter: v('filter', 'none'), maskImage: v('mask-image', 'none'), webkitMaskImage: v('-webkit-mask-image', 'none'), color: v('color', 'rgb(0, 0, 0)'), textShadow: v('text-shadow', 'none'), webkitTextStrokeWidth: '0px' };
    var n = net(e);
    if (n.color === 'revert') cs.color = 'rgb(0, 0, 0)';
    cs.webkitTextFillColor = n.webkitTextFillColor === 'revert' ? cs.color : v('-webkit-text-fill-color', cs.color);
    return cs;
  }
  var modal = null;
  Document.prototype.querySelector = function (q) { return q === ':modal' ? modal : null; };
  Document.prototype.getElementById = function () { return null; };
`;

const page = (opts) => livePage(DOM, shim, opts);


// the page changes a computed value after load; the net looks at its next
// 250 ms tick and acts 250 ms later
function hidden(set, { back = null, before = '' } = {}) {
  const p = page();
  p.loaded();
  p.interval(); // first look: the state at load
  if (before) p.run(before);
  p.run(set);
  p.interval();
  if (back) p.run(back);
  p.tick(250);
  return p;
}
const NET = 'document.adoptedStyleSheets.map(function (s) { return s.text; }).join("")';

test('pass18: filters that flatten the page are lifted; dark mode, read-only grey and a light blur stay', () => {
  for (const f of ['opacity(0)', 'brightness(0)', 'contrast(0%)', 'blur(40px)', 'invert(1) opacity(0.02)']) {
    const p = hidden(`body.sheet.filter = ${JSON.stringify(f)}`);
    assert.equal(p.run('body.style.p.filter'), 'none', f);
    assert.equal(p.w.__crmframe.stats.unhide, 1, f);
  }
  for (const f of ['invert(1) hue-rotate(180deg)', 'grayscale(1)', 'blur(2px)', 'sepia(0.5) brightness(0.8)', 'url("#a11y-protanopia")']) {
    const p = hidden(`html.sheet.filter = ${JSON.stringify(f)}`);
    assert.equal(p.run('html.style.p.filter'), undefined, f);
    assert.equal(p.w.__crmframe.stats.unhide, undefined, f);
  }
  // a blur behind a modal with text of its own, and one taken back in time
  const m = hidden('body.sheet.filter = "blur(8px)"', { before: 'modal = mk("dialog", [text("Save changes?")])' });
  assert.equal(m.run('body.style.p.filter'), undefined);
  const q = hidden('body.sheet.filter = "blur(8px)"', { back: 'body.sheet.filter = ""' });
  assert.equal(q.run('body.style.p.filter'), undefined);
  // detect mode counts and leaves it
  const d = page({ mode: 'detect' });
  d.loaded(); d.interval(); d.run('body.sheet.filter = "opacity(0)"'); d.interval(); d.tick(250);
  assert.equal(d.run('body.style.p.filter'), undefined);
  assert.equal(d.w.__crmframe.stats.unhide, 1);
});

test('pass18: an SVG filter of the page that zeroes alpha or floods is lifted; a colour matrix that keeps alpha stays', () => {
  const svg = (kids) => `html.childNodes[1].appendChild((function () { var f = mk("filter", ${kids}); f.id = "f"; return f; })());
    document.getElementById = function (id) { var hit = null; (function walk(n) { (n.childNodes || []).forEach(function (c) { if (c.id === id) hit = c; else walk(c); }); })(document); return hit; };
    Object.defineProperty(HTMLElement.prototype, 'children', { get: function () { return this.childNodes.filter(function (c) { return c.nodeType === 1; }); }, configurable: true });`;
  const prim = (name, attrs) => `(function () { var e = mk(${JSON.stringify(name)}); var a = ${JSON.stringify(attrs)}; e.getAttribute = function (k) { return k in a ? a[k] : null; }; return e; })()`;
  const zero = '0 0 0 0 0  0 0 0 0 0  0 0 0 0 0  0 0 0 0 0';
  const keep = '0.33 0.33 0.33 0 0  0.33 0.33 0.33 0 0  0.33 0.33 0.33 0 0  0 0 0 1 0';
  const p = hidden('body.sheet.filter = "url(\\"http://crm.test/a.html#f\\")"', { before: svg(`[${prim('feColorMatrix', { values: zero })}]`) });
  assert.equal(p.run('body.style.p.filter'), 'none');
  const fl = hidden('body.sheet.filter = "url(\\"#f\\")"', { before: svg(`[${prim('feFlood', { 'flood-color': 'white' })}]`) });
  assert.equal(fl.run('body.style.p.filter'), 'none');
  const g = hidden('body.sheet.filter = "url(\\"#f\\")"', { before: svg(`[${prim('feColorMatrix', { values: keep })}]`) });
  assert.equal(g.run('body.style.p.filter'), undefined);
});

test('pass18: a mask with nothing opaque is lifted; a fading mask stays', () => {
  const p = hidden('body.sheet.maskImage = "linear-gradient(rgba(0, 0, 0, 0), rgba(0, 0, 0, 0))"');
  assert.equal(p.run('body.style.p["mask-image"]'), 'none');
  assert.equal(p.run('body.style.p["-webkit-mask-image"]'), 'none');
  const q = hidden('body.sheet.webkitMaskImage = "linear-gradient(rgb(0, 0, 0) 80%, rgba(0, 0, 0, 0))"');
  assert.equal(q.run('body.style.p["mask-image"]'), undefined);
  assert.equal(q.w.__crmframe.stats.unhide, undefined);
});

test('pass18: transparent text on html/body gets the colours reverted by the net, until the page shows its own colour again', () => {
  const p = hidden('body.sheet.color = "rgba(0, 0, 0, 0)"; body.sheet.textShadow = "none"');
  assert.match(p.run(NET), /> body:not\(#crmframe-net\)\{color:revert !important\}/);
  assert.equal(p.run('getComputedStyle(body).webkitTextFillColor'), 'rgb(0, 0, 0)');
  assert.equal(p.run('body.style.p.color'), undefined, "the page's own style is untouched");
  // the page's colour comes back (fonts loaded): the rules go at the next look
  p.run('body.sheet.color = "rgb(51, 51, 51)"');
  p.interval();
  assert.doesNotMatch(p.run(NET), /color:revert/);
  // text with a shadow is seen (outlined text), a fill alone on html too
  const s = hidden('body.sheet.color = "rgba(0, 0, 0, 0)"; body.sheet.textShadow = "rgb(0, 0, 0) 0px 0px 1px"');
  assert.doesNotMatch(s.run(NET), /color/);
  const f = hidden('html.sheet["-webkit-text-fill-color"] = "rgba(0, 0, 0, 0)"');
  assert.match(f.run(NET), /-webkit-text-fill-color:revert/);
});

test('pass18: a pseudo-element of html/body over the viewport is hidden by the net; a small badge or a backdrop behind the page stays', () => {
  const cover = { content: '""', position: 'fixed', width: '800px', height: '600px', zIndex: '2147483647', backgroundColor: 'rgb(255, 255, 255)' };
  const p = hidden(`html.pseudo = { '::after': ${JSON.stringify(cover)} }`);
  assert.match(p.run(NET), /:root(:not\(#crmframe-net\)){3}::after\{display:none !important\}/);
  assert.equal(p.run('getComputedStyle(html, "::after").display'), 'none');
  // a huge spread shadow from a 1px pseudo-element
  const sh = hidden(`body.pseudo = { '::before': ${JSON.stringify({ ...cover, width: '1px', height: '1px', boxShadow: 'rgb(255, 255, 255) 0px 0px 0px 1000px' })} }`);
  assert.match(sh.run(NET), /> body:not\(#crmframe-net\)::before\{display:none !important\}/);
  for (const [name, st] of [
    ['a badge', { ...cover, width: '120px', height: '20px' }],
    ['a decorative backdrop behind the page', { ...cover, zIndex: '-1' }],
    ['a translucent watermark', { ...cover, backgroundColor: 'rgba(255, 0, 0, 0.1)' }],
  ]) {
    const q = hidden(`body.pseudo = { '::after': ${JSON.stringify(st)} }`);
    assert.doesNotMatch(q.run(NET), /display:none/, name);
  }
});
