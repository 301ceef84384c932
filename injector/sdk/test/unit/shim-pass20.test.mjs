// Pass 20: covers the pass-19b candidates never reach (x620-x631) — deep in
// the tree, put in by innerHTML or the parser, or restyled in place — are
// found from where they do harm: probes (texts in view) watched by
// IntersectionObserver v2; a probe reported not visible makes the next look
// list what lies over it (elementsFromPoint with pointer events on for
// every element for a moment). Also judged now: SVG shapes, url()
// backgrounds, a video's poster, drop-shadow filters, translucent layers
// stacked, a blank cover that takes clicks, and hides of a wrapper of the
// page's text (filter, zoom). Legitimate layers stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, SHEET_DOM, NAV_DOM, COVER_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// The cover page of fakes.mjs (COVER_DOM: elements with e.rect, e.cs;
// stackAt(x, y) lists what elementsFromPoint finds, calls logged in probes),
// plus: the marker in a
// wrapper (shell); IntersectionObserver v2 whose reports a test makes with
// report(el, visible, intersecting) (<html>, the frame's sentinel, is
// reported at once); stack(...els): what lies over the
// texts, listing elements that take no pointer events only while the net's
// stylesheet puts them on for every element (or inline, as over() does);
// images whose decoding a test makes (decode(src, ink), ink null: tainted).
const DOM = LIVE_DOM + SHEET_DOM + NAV_DOM + COVER_DOM + `
  var shell = mk('div'); body.insertBefore(shell, marker); shell.appendChild(marker);
  BASE.fill = 'rgb(0, 0, 0)'; BASE.fillOpacity = '1'; BASE.zoom = '1';
  var ioList = [];
  function IntersectionObserver(cb, opts) { this.cb = cb; this.opts = opts; this.targets = []; ioList.push(this); }
  // <html> is reported at once, visible unless frameVisible says otherwise
  var frameVisible = true;
  IntersectionObserver.prototype.observe = function (t) { if (t === html) this.cb([{ target: t, isVisible: frameVisible, isIntersecting: true }]); else this.targets.push(t); };
  IntersectionObserver.prototype.disconnect = function () { this.targets = []; };
  function IntersectionObserverEntry() {}
  IntersectionObserverEntry.prototype.isVisible = false;
  function report(t, vis, int) { ioList.forEach(function (o) { if (o.targets.indexOf(t) >= 0) o.cb([{ target: t, isVisible: vis, isIntersecting: int !== false }]); }); }
  var allOn = function () { return adopted.some(function (s) { return /\\*\\{pointer-events:auto !important\\}/.test(s.text); }); };
  function stack() {
    var over = Array.prototype.slice.call(arguments);
    stackAt = function () {
      return over.filter(function (e) { return allOn() || e.style.p['pointer-events'] === 'auto' || (e.cs || {}).pointerEvents !== 'none'; }).concat([marker, shell, body, html]);
    };
  }
  // put in without a hooked method (the parser, innerHTML)
  function parsed(parent, e) { parent.childNodes.push(e); e.parentNode = parent; return e; }
  var images = [];
  function Image() { images.push(this); }
  function CanvasRenderingContext2D() {}
  CanvasRenderingContext2D.prototype.drawImage = function (img) { this.ink = img.ink; };
  CanvasRenderingContext2D.prototype.getImageData = function (x, y, w, h) {
    if (this.ink == null) throw new Error('tainted');
    var data = [];
    for (var i = 0; i < w * h; i++) data.push(255, 255, 255, Math.round(this.ink * 255));
    return { data: data };
  };
  function HTMLCanvasElement() {}
  HTMLCanvasElement.prototype.getContext = function () { return new CanvasRenderingContext2D(); };
  function decode(src, ink) { images.filter(function (i) { return i.src === src; }).forEach(function (i) { i.naturalWidth = i.naturalHeight = 24; i.ink = ink; i.onload(); }); }
`;

const NET = 'document.adoptedStyleSheets.map(function (s) { return s.text; }).join("")';
const hiddenAt = (p, v) => p.run(`getComputedStyle(${v}).visibility`) === 'hidden';

// a page after load whose probes are picked (the first look)
const page = (opts) => {
  const p = livePage(DOM, shim, opts);
  p.loaded();
  p.interval();
  return p;
};
// code puts a cover in (returned as c) and the browser reports the marker
// (visible or not); then two looks
function probed(code, visible = false, opts) {
  const p = page(opts);
  p.run(`var c = (function () { ${code} })()`);
  p.run(`report(marker, ${visible})`);
  p.interval();
  const first = hiddenAt(p, 'c');
  p.interval();
  return { p, first, hidden: hiddenAt(p, 'c'), unhide: p.w.__crmframe.stats.unhide };
}

test('pass20: probes are texts in view, watched with IntersectionObserver v2 (trackVisibility); nothing is probed while they are visible', () => {
  const p = page();
  assert.equal(p.run('ioList.length'), 1);
  assert.equal(p.run('ioList[0].opts.trackVisibility'), true);
  assert.equal(p.run('ioList[0].targets.length === 1 && ioList[0].targets[0] === marker'), true, 'the marker\'s text (the nav link shares its cell)');
  p.run('report(marker, true)');
  for (let i = 0; i < 16; i++) p.interval();
  assert.equal(p.run('probes.length'), 0, 'no elementsFromPoint while every probe is visible');
  // a probe reported hidden: probed at the next look, then every 2 s (8 looks) while it stays
  p.run('report(marker, false)');
  p.interval();
  assert.equal(p.run('probes.length'), 1);
  assert.equal(p.run('probes[0][0] === 2 && probes[0][1] === 10'), true, 'at the text\'s start');
  for (let i = 0; i < 7; i++) p.interval();
  assert.equal(p.run('probes.length'), 2);
  // a frame the desktop hides or overlaps (<html> not visible): nothing is probed
  const h = livePage(DOM + 'frameVisible = false;', shim);
  h.loaded(); h.interval();
  h.run('report(marker, false)');
  for (let i = 0; i < 16; i++) h.interval();
  assert.equal(h.run('probes.length'), 0);
  // without IntersectionObserver v2 there are no probes (other browsers)
  const q = livePage(DOM + 'delete IntersectionObserverEntry.prototype.isVisible;', shim);
  q.loaded(); q.interval();
  assert.equal(q.run('ioList.length'), 0);
});

const DEEP = {
  'x620/x621: an opaque fixed layer deep in the app, put in by innerHTML or restyled in place': 'stack(c = el({ backgroundColor: "rgb(255, 255, 255)" })); return parsed(deep, c)',
  'x622: an SVG <rect> filled white (its <svg> takes no pointer events)': 'var s = parsed(deep, el({}, [0, 0, 800, 600], "svg")); s.namespaceURI = c0ns; c = parsed(s, el({ fill: "rgb(255, 255, 255)", position: "static", zIndex: "auto" }, [0, 0, 800, 600], "rect")); c.namespaceURI = c0ns; stack(c, s); return c',
  'x629: a blank non-modal <dialog open> that takes clicks': 'stack(c = el({ pointerEvents: "auto", backgroundColor: "rgb(255, 255, 255)" }, [0, 0, 800, 600], "dialog")); return parsed(deep, c)',
  'x631: an opaque <img> put in by insertAdjacentHTML': 'c = el({}, [0, 0, 800, 600], "img"); c.naturalWidth = c.naturalHeight = 2; c.alpha = 255; stack(c); return parsed(deep, c)',
};

test('pass20: a cover deep in the tree, found over a probe that is reported not visible, is hidden at the next look', () => {
  for (const [name, code] of Object.entries(DEEP)) {
    const src = 'var c0ns = "http://www.w3.org/2000/svg", c; ' + code;
    const r = probed(src);
    assert.equal(r.first, false, `${name}: left alone at the first look`);
    assert.equal(r.hidden, true, name);
    assert.equal(r.unhide, 1, name);
    assert.equal(r.p.run('c.style.p["pointer-events"]'), undefined, `${name}: pointer events put back`);
    assert.doesNotMatch(r.p.run(NET), /\*\{pointer-events/, `${name}: the probe's rule is gone`);
    // the same page with its probe visible: the cover is never reached
    const v = probed(src, true);
    assert.equal(v.hidden, false, `${name}: not probed while the text is visible`);
  }
});

test('pass20: layers that take clicks or show something stay; a translucent layer stays', () => {
  for (const [name, code] of Object.entries({
    'a modal-like layer with text': 'var c = el({ pointerEvents: "auto", backgroundColor: "rgb(255, 255, 255)" }); c.appendChild(mk("p", [text("Session expired: sign in again")])); stack(c); return parsed(deep, c)',
    'a loading mask that takes clicks and shows only a CSS spinner': 'var c = el({ pointerEvents: "auto", backgroundColor: "rgb(255, 255, 255)" }); c.getAnimations = function () { return [{ playState: "running", effect: { getTiming: function () { return { iterations: Infinity }; } } }]; }; stack(c); return parsed(deep, c)',
    'a layer that takes clicks holding a picture': 'var c = el({ pointerEvents: "auto", backgroundColor: "rgb(255, 255, 255)" }); c.appendChild(mk("img")); stack(c); return parsed(deep, c)',
    'x593: a white veil at .6': 'var c = el({ backgroundColor: "rgba(255, 255, 255, 0.6)" }); stack(c); return parsed(deep, c)',
    'a tour dim at .5 over a saving veil at .6 (0.8 together)': 'var a = parsed(deep, el({ backgroundColor: "rgba(0, 0, 0, 0.5)" })), c = parsed(deep, el({ backgroundColor: "rgba(255, 255, 255, 0.6)" })); stack(c, a); return c',
    'a backdrop the text lies over': 'var c = el({ zIndex: "0", backgroundColor: "rgb(255, 255, 255)" }); stackAt = function () { return [marker, c, shell, body, html]; }; return parsed(deep, c)',
  })) {
    const r = probed(code);
    assert.equal(r.hidden, false, name);
    assert.equal(r.unhide, undefined, name);
  }
});

test('pass20: translucent layers stacked over a text are judged together (x624: three at .6 are 0.94)', () => {
  const r = probed('var c; for (var i = 0; i < 3; i++) c = parsed(deep, el({ backgroundColor: "rgba(255, 255, 255, 0.6)" })); stack(deep.childNodes[2], deep.childNodes[1], deep.childNodes[0]); return c');
  assert.equal(r.first, false);
  assert.equal(r.p.run('deep.childNodes.every(function (e) { return getComputedStyle(e).visibility === "hidden"; })'), true);
  assert.equal(r.unhide, 3);
  // one of them taken away before the second look: left
  const p = page();
  p.run('for (var i = 0; i < 3; i++) parsed(deep, el({ backgroundColor: "rgba(255, 255, 255, 0.6)" })); stack(deep.childNodes[2], deep.childNodes[1], deep.childNodes[0]); report(marker, false)');
  p.interval();
  p.run('deep.childNodes[2].cs.backgroundColor = "rgba(255, 255, 255, 0)"');
  p.interval();
  assert.equal(p.w.__crmframe.stats.unhide, undefined);
});

test('pass20: new paints judged on the cheap candidates too: url() background, video poster, drop-shadow', () => {
  const PNG = 'data:image/png;base64,AAAA';
  const img = (ink, code) => {
    const p = page();
    p.run(`var c = (function () { ${code} })()`);
    p.interval(); // the image is asked for
    p.run(`decode(${JSON.stringify(PNG)}, ${ink})`);
    p.interval(); p.interval();
    return { hidden: hiddenAt(p, 'c'), unhide: p.w.__crmframe.stats.unhide };
  };
  const bg = `return body.appendChild(el({ backgroundImage: 'url("${PNG}")' }))`;
  assert.deepEqual(img(1, bg), { hidden: true, unhide: 1 }, 'x623: an opaque picture over the viewport');
  assert.deepEqual(img(0.07, bg), { hidden: false, unhide: undefined }, 'a watermark tile at 7 %');
  assert.deepEqual(img(null, bg), { hidden: false, unhide: undefined }, 'a cross-origin picture (unreadable) is not judged');
  const poster = `var v = el({}, [0, 0, 800, 600], "video"); v.readyState = 0; v.poster = ${JSON.stringify(PNG)}; return body.appendChild(v)`;
  assert.deepEqual(img(1, poster), { hidden: true, unhide: 1 }, 'x630: a video showing an opaque poster');
  assert.deepEqual(img(1, poster.replace('v.readyState = 0', 'v.readyState = 4')), { hidden: false, unhide: undefined }, 'a playing video is judged by its frame');
  const shadow = (f, rect) => {
    const p = page();
    p.run(`var c = body.appendChild(el({ backgroundColor: "rgb(255, 255, 255)", filter: ${JSON.stringify(f)} }, ${JSON.stringify(rect)}))`);
    p.interval(); p.interval();
    return hiddenAt(p, 'c');
  };
  assert.equal(shadow('drop-shadow(rgb(255, 255, 255) 800px 0px 0px)', [-800, 0, 800, 600]), true, 'x625: a box out of view whose drop-shadow paints the viewport');
  assert.equal(shadow('drop-shadow(rgba(0, 0, 0, 0.3) 0px 2px 4px)', [300, 200, 200, 100]), false, 'a card\'s soft shadow');
});

test('pass20: a wrapper of the page\'s text that hides it is lifted when no probe is visible (filter at once, geometry only when no text shows)', () => {
  const wrap = (cs, setup = '') => {
    const p = page();
    p.run(`${setup}; Object.assign(shell.cs = shell.cs || {}, ${JSON.stringify(cs)}); report(marker, false)`);
    p.interval();
    p.run('report(marker, false)'); // the probes picked again, as the browser first reports them
    p.interval();
    return p;
  };
  const f = wrap({ filter: 'blur(30px)' });
  assert.equal(f.run('shell.style.p.filter + " " + shell.style.i.filter'), 'none true', 'x626: blur(30px) on the main wrapper');
  assert.equal(f.w.__crmframe.stats.unhide, 1);
  assert.equal(wrap({ filter: 'blur(3px)' }).run('shell.style.p.filter'), undefined, 'a light blur stays');
  assert.equal(wrap({ filter: 'grayscale(1)' }).run('shell.style.p.filter'), undefined, 'read-only grey stays');
  // zoom: only when no text of the page can be seen (here every text box is tiny)
  const z = wrap({ zoom: '0.01' }, 'marker.rect = [0, 0, 1, 1]; nav.rect = [0, 0, 1, 1]');
  assert.equal(z.run('shell.style.p.zoom + " " + shell.style.i.zoom'), '1 true', 'x627: zoom 0.01 on the main wrapper');
  assert.equal(wrap({ zoom: '0.01' }).run('shell.style.p.zoom'), undefined, 'other text still in view: a zoomed-out panel stays');
  // a probe that became visible again before the second look: left
  const p = page();
  p.run('shell.cs = { filter: "blur(30px)" }; report(marker, false)');
  p.interval();
  p.run('report(marker, true)');
  p.interval();
  assert.equal(p.run('shell.style.p.filter'), undefined);
  // a panel shown beside the blurred app: its text is picked as a probe and visible
  const s = page();
  s.run('shell.cs = { filter: "blur(30px)" }; report(marker, false)');
  s.run('var panel = mk("aside", [text("Filters")]); panel.rect = [600, 300, 150, 20]; body.childNodes.push(panel); panel.parentNode = body');
  s.interval();
  assert.equal(s.run('ioList[0].targets.length'), 2, 'picked again: the marker and the panel');
  s.run('report(marker, false); report(panel, true)');
  s.interval();
  assert.equal(s.run('shell.style.p.filter'), undefined);
  // x578: a faint watermark with text of its own is no wrapper of the page's text
  const m = livePage(DOM + 'var wm = el({ opacity: "0.05" }, [0, 300, 800, 300]); wm.appendChild(text("DRAFT")); body.appendChild(wm);', shim);
  m.loaded(); m.interval();
  assert.equal(m.run('ioList[0].targets.length'), 2, 'the watermark\'s text is a probe too');
  m.run('report(marker, false); report(wm, false)');
  m.interval(); m.run('report(marker, false); report(wm, false)'); m.interval();
  assert.equal(m.run('wm.style.p.opacity'), undefined);
  assert.equal(m.w.__crmframe.stats.unhide, undefined);
  // no answer from the browser yet: waits
  const n = page();
  n.run('shell.cs = { filter: "blur(30px)" }; report(marker, false)');
  n.interval(); n.interval();
  assert.equal(n.run('shell.style.p.filter'), undefined);
  n.run('report(marker, false)');
  n.interval();
  assert.equal(n.run('shell.style.p.filter'), 'none');
  // detect mode counts and leaves it
  const d = livePage(DOM, shim, { mode: 'detect' });
  d.loaded(); d.interval();
  d.run('shell.cs = { filter: "blur(30px)" }; report(marker, false)');
  d.interval(); d.run('report(marker, false)'); d.interval();
  assert.equal(d.run('shell.style.p.filter'), undefined);
  assert.equal(d.w.__crmframe.stats.unhide, 1);
});
