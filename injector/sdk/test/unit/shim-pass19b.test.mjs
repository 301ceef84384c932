// Pass 19b: covers that take no clicks (x548, x549, x562-x567) — an
// element with pointer-events: none painting over most of the viewport
// (a spread shadow, an outline, a border, an opaque background, canvas or
// ::backdrop, a flattening backdrop-filter) — are hidden by the net when
// seen at two 250 ms looks in a row; a tour's dim, a glass bar, a
// watermark, a fading gradient, a veil, a toast and a cover that takes
// clicks (a modal) stay (x590-x593). Only cheap candidates are looked at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, SHEET_DOM, NAV_DOM, COVER_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// The cover page of fakes.mjs (COVER_DOM), with element navigation.
const DOM = LIVE_DOM + SHEET_DOM + NAV_DOM + COVER_DOM;

const page = (opts) => {
  const p = livePage(DOM, shim, opts);
  p.loaded();
  p.interval();
  return p;
};
const NET = 'document.adoptedStyleSheets.map(function (s) { return s.text; }).join("")';
const hiddenAt = (p, v) => p.run(`getComputedStyle(${v}).visibility`) === 'hidden';

// add(code): the page puts a cover in (code returns it, as c); then two looks
function covered(code, opts) {
  const p = page(opts);
  p.run(`var c = (function () { ${code} })()`);
  p.interval();
  const first = hiddenAt(p, 'c');
  p.interval();
  return { p, first, hidden: hiddenAt(p, 'c'), unhide: p.w.__crmframe.stats.unhide };
}

const COVERS = {
  'x548: a 1px box with a viewport-wide white spread shadow': 'return body.appendChild(el({ boxShadow: "rgb(255, 255, 255) 0px 0px 0px 1000px" }, [0, 0, 1, 1]))',
  'x549: a full-viewport overlay whose backdrop-filter flattens (contrast 0)': 'return body.appendChild(el({ backdropFilter: "contrast(0)" }))',
  'x567: a backdrop blur of 30px, oklch white shadow variant aside': 'return body.appendChild(el({ backdropFilter: "blur(30px)" }))',
  'x562: a 1px box deep in the app whose outline spans the viewport': 'return deep.appendChild(el({ outlineStyle: "solid", outlineWidth: "1000px", outlineColor: "rgb(255, 255, 255)" }, [400, 300, 1, 1]))',
  'x563: a zero box, the body\'s first child, with a 1000px white border': `var e = el({}, [-500, -500, 2000, 2000]);
    ['Top', 'Right', 'Bottom', 'Left'].forEach(function (s) { e.cs['border' + s + 'Width'] = '1000px'; e.cs['border' + s + 'Style'] = 'solid'; e.cs['border' + s + 'Color'] = 'rgb(255, 255, 255)'; });
    return body.insertBefore(e, body.firstChild)`,
  'x564: a full-viewport canvas drawn opaque': 'var e = el({}, [0, 0, 800, 600], "canvas"); e.width = 800; e.height = 600; e.alpha = 255; return body.appendChild(e)',
  'x565: a white popover in the top layer, deep in the app': 'var e = el({ backgroundColor: "rgb(255, 255, 255)", zIndex: "auto" }); e.setAttribute("popover", "manual"); deep.appendChild(e); e.showPopover(); return e',
  'x566: a 1px popover whose ::backdrop is white': 'var e = el({}, [0, 0, 1, 1]); e.setAttribute("popover", "manual"); e.backdrop = { backgroundColor: "rgb(255, 255, 255)" }; body.appendChild(e); e.showPopover(); return e',
  'an opaque gradient in oklch over the viewport': 'return body.appendChild(el({ backgroundImage: "linear-gradient(oklch(1 0 0), color(srgb 1 1 1 / 0.95))" }))',
  'a static block whose outline covers the page (paints above its text)': 'return body.appendChild(el({ position: "static", zIndex: "auto", outlineStyle: "solid", outlineWidth: "1000px", outlineColor: "rgb(0, 0, 0)" }, [0, 0, 800, 1]))',
};

test('pass19b: covers that take no clicks are hidden by the net at the second look, and counted', () => {
  for (const [name, code] of Object.entries(COVERS)) {
    const r = covered(code);
    assert.equal(r.first, false, `${name}: left alone at the first look`);
    assert.equal(r.hidden, true, name);
    assert.equal(r.unhide, 1, name);
    assert.match(r.p.run(NET), /\[data-crmframe-cover\]\{visibility:hidden !important\}\[data-crmframe-cover\]::backdrop\{display:none !important\}/, name);
    assert.equal(r.p.run('c.style.p.visibility'), undefined, `${name}: the page's own style is untouched`);
  }
  // the ::backdrop goes with it
  const b = covered(COVERS['x566: a 1px popover whose ::backdrop is white']);
  assert.equal(b.p.run('getComputedStyle(c, "::backdrop").display'), 'none');
});

test('pass19b: legitimate layers that take no clicks stay (tour dim, glass bar, watermark, fade, veil, toast, confetti)', () => {
  for (const [name, code] of Object.entries({
    'x590: an Intro.js tour helper (rgba .8 ring, rgba .5 spread) around the marker': 'return body.appendChild(el({ position: "absolute", zIndex: "9999998", boxShadow: "rgba(33, 33, 33, 0.8) 0px 0px 1px 2px, rgba(33, 33, 33, 0.5) 0px 0px 0px 5000px" }, [10, 90, 200, 30]))',
    'a driver.js dim at .7 over the whole viewport': 'return body.appendChild(el({ backgroundColor: "rgba(0, 0, 0, 0.7)" }))',
    'x591: a glass header 64px tall': 'return body.appendChild(el({ backdropFilter: "blur(16px) saturate(1.8)", backgroundColor: "rgba(255, 255, 255, 0.55)" }, [0, 0, 800, 64]))',
    'x591: a frosted card in a corner': 'return body.appendChild(el({ backdropFilter: "blur(12px)" }, [544, 464, 240, 120]))',
    'x592: a full-viewport watermark at opacity .08': 'return body.appendChild(el({ opacity: "0.08", backgroundColor: "rgb(255, 0, 0)" }))',
    'a watermark inside a translucent wrapper': 'var w = body.appendChild(el({ opacity: "0.1", pointerEvents: "auto" })); return w.appendChild(el({ backgroundColor: "rgb(255, 255, 255)" }))',
    'x592: a fixed bottom fade gradient': 'return body.appendChild(el({ zIndex: "10", backgroundImage: "linear-gradient(rgba(255, 255, 255, 0) 60%, rgb(255, 255, 255))" }))',
    'x593: a white veil at .6': 'return body.appendChild(el({ backgroundColor: "rgba(255, 255, 255, 0.6)" }))',
    'x593: a toast in the top layer': 'var e = el({ backgroundColor: "rgb(51, 51, 51)" }, [600, 550, 180, 36]); e.setAttribute("popover", "manual"); body.appendChild(e); e.showPopover(); return e',
    'x593: a mostly transparent confetti canvas': 'var e = el({}, [0, 0, 800, 600], "canvas"); e.width = 800; e.height = 600; e.alpha = 12; return body.appendChild(e)',
    'a backdrop behind the page (z-index -1)': 'return body.appendChild(el({ zIndex: "-1", backgroundColor: "rgb(255, 255, 255)" }))',
    'a full-screen modal that takes clicks (the Limits\' modal)': 'return body.appendChild(el({ pointerEvents: "auto", backgroundColor: "rgb(255, 255, 255)" }))',
    'a static block with a big box-shadow (painted under the page\'s text)': 'return body.appendChild(el({ position: "static", zIndex: "auto", boxShadow: "rgb(255, 255, 255) 0px 0px 0px 1000px" }, [0, 0, 1, 1]))',
    'a spread shadow covering a third of the viewport': 'return body.appendChild(el({ boxShadow: "rgb(255, 255, 255) 0px 0px 0px 100px" }, [0, 0, 1, 1]))',
    'a tainted canvas (unreadable)': 'var e = el({}, [0, 0, 800, 600], "canvas"); e.width = 800; e.height = 600; e.alpha = 255; scratchCtx.getImageData = function () { throw new Error("tainted"); }; return body.appendChild(e)',
  })) {
    const r = covered(code);
    assert.equal(r.hidden, false, name);
    assert.equal(r.unhide, undefined, name);
    assert.equal(r.p.run('c.hasAttribute("data-crmframe-cover")'), false, name);
  }
});

test('pass19b: a cover taken away within 250 ms stays the page\'s; one the page shows again is hidden at the next look', () => {
  // seen once, then removed: nothing done
  const p = page();
  p.run('var c = body.appendChild(el({ backdropFilter: "contrast(0)" }))');
  p.interval();
  p.run('c.remove()');
  p.interval();
  p.run('body.appendChild(c)'); // back: a new first sighting
  p.interval();
  assert.equal(p.w.__crmframe.stats.unhide, undefined);
  assert.equal(p.run('c.hasAttribute("data-crmframe-cover")'), false);
  // lifted, then the page drops the mark: hidden again at the next look
  const q = covered(COVERS['x548: a 1px box with a viewport-wide white spread shadow']);
  q.p.run('c.removeAttribute("data-crmframe-cover")');
  assert.equal(hiddenAt(q.p, 'c'), false);
  q.p.interval();
  assert.equal(hiddenAt(q.p, 'c'), true);
  assert.equal(q.p.w.__crmframe.stats.unhide, 2);
  // the page's own visibility: visible !important beats the net's rule:
  // then the net's hide is inline, !important
  const v = covered('return body.appendChild(el({ backdropFilter: "contrast(0)", visibilityImportant: true }))');
  assert.equal(v.p.run('c.style.p.visibility'), 'hidden');
  assert.equal(v.p.run('c.style.i.visibility'), true);
});

test('pass19b: a class change on an existing body child (no insertion) is seen; detect mode counts once and leaves it', () => {
  const p = page();
  p.run('var c = body.appendChild(el({ pointerEvents: "none" }))');
  p.interval(); p.interval();
  p.run('c.cs.backdropFilter = "blur(30px)"');
  p.interval(); p.interval();
  assert.equal(hiddenAt(p, 'c'), true);
  const d = covered(COVERS['x549: a full-viewport overlay whose backdrop-filter flattens (contrast 0)'], { mode: 'detect' });
  assert.equal(d.hidden, false);
  d.p.interval(); d.p.interval();
  assert.equal(d.p.w.__crmframe.stats.unhide, 1);
  assert.equal(d.p.run('c.hasAttribute("data-crmframe-cover")'), false);
});

test('pass19b: a cover painting its box is judged by where it lies: a background layer under the page\'s text stays, one over any of it goes', () => {
  const bg = 'return body.appendChild(el({ zIndex: "0", backgroundImage: "linear-gradient(rgb(232, 238, 245), rgb(223, 231, 241))" }))';
  // the page's text is listed above it at every text point: a backdrop
  const b = covered(`stackAt = function () { return [marker, nav, c, body, html]; }; ${bg}`);
  assert.equal(b.hidden, false);
  assert.equal(b.unhide, undefined);
  assert.equal(b.p.run('probes.map(function (x) { return x[2]; }).join()'), 'auto,auto', 'probed at both texts with pointer events on it');
  assert.equal(b.p.run('c.style.p["pointer-events"]'), undefined, 'and put back');
  // asked once while its stacking stays
  b.p.interval(); b.p.interval();
  assert.equal(b.p.run('probes.length'), 2);
  // raised over the page: probed again and hidden
  b.p.run('c.cs.zIndex = "2147483647"; stackAt = function () { return [c, marker, nav, body, html]; }');
  b.p.interval();
  assert.equal(hiddenAt(b.p, 'c'), true);
  // above one text of two: hidden
  const h = covered(`nav.rect = [0, 300, 100, 20]; stackAt = function (x, y) { return y < 100 ? [marker, c, body, html] : [c, nav, body, html]; }; ${bg}`);
  assert.equal(h.hidden, true);
  // no text under its box: it hides nothing of the page's (a picture, a
  // map layer over wrappers, x640-x642), unless a frame, a shadow host or a
  // control lies under it (x643, x644: content the text walk cannot read)
  const white = 'var e = el({ zIndex: "0", backgroundColor: "rgb(255, 255, 255)" }, [0, 100, 800, 500]); return body.appendChild(e)';
  const n = covered(`stackAt = function () { return [c, deep, app, body, html]; }; ${white}`);
  assert.equal(n.hidden, false);
  assert.equal(n.p.run('probes.length'), 9, 'nine points of its box');
  for (const [name, make] of [['a frame', 'mk("iframe")'], ['a custom element', 'mk("crm-record")'], ['a control', 'mk("input")']]) {
    const o = covered(`var x = ${make}; deep.appendChild(x); stackAt = function () { return [c, x, deep, app, body, html]; }; ${white}`);
    assert.equal(o.hidden, true, name + ' under it');
    const u = covered(`var x = ${make}; deep.appendChild(x); stackAt = function () { return [x, c, deep, app, body, html]; }; ${white}`);
    assert.equal(u.hidden, false, name + ' over it');
  }
  // covers drawn around a box (shadow, outline, border) are not probed
  const s = covered(`stackAt = function () { return [marker, nav, c, body, html]; }; ${COVERS['x548: a 1px box with a viewport-wide white spread shadow']}`);
  assert.equal(s.hidden, true);
  assert.equal(s.p.run('probes.length'), 0);
});

test('pass19b: only cheap candidates are read: a 300-child body and 300 insertions cost a bounded number of style reads per look', () => {
  const p = page();
  p.run('for (var i = 0; i < 300; i++) body.insertBefore(mk("div"), body.childNodes[1]);');
  p.interval();
  p.run('reads = 0');
  p.interval();
  const idle = p.run('reads');
  assert.ok(idle <= 60, `an idle look read ${idle} styles`);
  // 300 insertions with 40 children each since the last look
  p.run('for (var i = 0; i < 300; i++) { var s = mk("section"); for (var j = 0; j < 40; j++) s.appendChild(mk("div")); deep.appendChild(s); } reads = 0');
  p.interval();
  const busy = p.run('reads');
  assert.ok(busy <= 64 * 32 + 100, `a busy look read ${busy} styles`);
  // a cover among the first insertions of a busy look is still seen
  p.run('var c = deep.appendChild(el({ backdropFilter: "contrast(0)" })); for (var i = 0; i < 500; i++) deep.appendChild(mk("p"));');
  p.interval(); p.interval();
  assert.equal(hiddenAt(p, 'c'), true);
});
