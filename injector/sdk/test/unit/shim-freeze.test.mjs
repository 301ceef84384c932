// The use net and legitimate short freezes (x610, x615): a freeze that shows
// progress or comes after the page ended one of its own waits 5 s (20 looks)
// instead of 250 ms, and the net's overrides are the page's to take back:
// when the page changes what caused one (class, inert or pointer-events of
// html/body; class, style or hidden of a pane; the page removes it) ours
// goes and the page is judged afresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, SHEET_DOM, NAV_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

const DOM = LIVE_DOM + SHEET_DOM + NAV_DOM + `
  var winL = {}, rawAdd = window.addEventListener;
  window.addEventListener = function (n, f, c) { (winL[n] = winL[n] || []).push(f); return rawAdd(n, f, c); };
  // attributes (e.attrs) with records for the observers of the element
  EP.getAttribute = function (k) { return this.attrs && k in this.attrs ? this.attrs[k] : null; };
  EP.removeAttribute = function (k) { if (this.attrs) delete this.attrs[k]; };
  function attr(el, k, v) {
    el.attrs = el.attrs || {};
    if (v === null) delete el.attrs[k]; else el.attrs[k] = v;
    observers.forEach(function (o) { if (o.targets.indexOf(el) >= 0) queue.push([o, { type: 'attributes', target: el, attributeName: k }]); });
  }
  EP.closest = function () { for (var e = this; e && e.nodeType === 1; e = e.parentNode) if (e.attrs && 'inert' in e.attrs) return e; return null; };
  EP.getBoundingClientRect = function () { return this.box || { left: 0, top: 0, width: 100, height: 20, right: 100, bottom: 20 }; };
  EP.checkVisibility = function () { return true; };
  EP.getElementsByTagName = function () { var out = []; (function walk(n) { n.childNodes.forEach(function (c) { if (c.nodeType === 1) { out.push(c); walk(c); } }); })(this); return out; };
  Object.defineProperty(EP, 'innerText', { get: function () { return this.textContent; } });
  var DEF = { display: 'block', visibility: 'visible', opacity: '1', position: 'static', backgroundColor: 'rgba(0, 0, 0, 0)', backgroundImage: 'none', boxShadow: 'none',
    content: 'none', pointerEvents: 'auto', width: 'auto', height: 'auto', contentVisibility: 'visible', clipPath: 'none', transform: 'none', filter: 'none', cursor: 'auto',
    maskImage: 'none', color: 'rgb(0, 0, 0)', webkitTextFillColor: 'rgb(0, 0, 0)', textShadow: 'none', webkitTextStrokeWidth: '0px', zIndex: 'auto', backdropFilter: 'none' };
  // computed style: e.cs (a function of the element's state), e.pcs[pseudo];
  // pointer-events is inherited, an inline value wins, frozen(e) is the
  // page's rule (body.saving { pointer-events: none })
  var frozen = function () { return false; };
  function pe(e) {
    var s = e.style && e.style.p['pointer-events'];
    if (s) return s;
    if (frozen(e)) return 'none';
    var own = (typeof e.cs === 'function' ? e.cs() : e.cs || {}).pointerEvents;
    if (own) return own;
    return e.parentNode && e.parentNode.nodeType === 1 ? pe(e.parentNode) : 'auto';
  }
  function getComputedStyle(e, pseudo) {
    if (pseudo) return Object.assign({}, DEF, (e.pcs || {})[pseudo]);
    return Object.assign({}, DEF, typeof e.cs === 'function' ? e.cs() : e.cs, { pointerEvents: pe(e) });
  }
  // hit testing: hits() or an element; a frozen page hits <html>
  var hits = function () { return pe(marker) === 'none' ? html : marker; }, modal = null, progress = [], anims = [];
  Document.prototype.elementFromPoint = function (x, y) { return typeof hits === 'function' ? hits(x, y) : hits; };
  Document.prototype.createTreeWalker = function (root) {
    var list = []; (function walk(n) { n.childNodes.forEach(function (c) { if (c.nodeType === 3) list.push(c); else walk(c); }); })(root);
    var i = 0; return { nextNode: function () { return list[i++] || null; } };
  };
  Document.prototype.createRange = function () { var n = null; return { selectNodeContents: function (x) { n = x; }, getClientRects: function () { return [n.box || { left: 10, top: 10, width: 80, height: 16, right: 90, bottom: 26 }]; } }; };
  Document.prototype.querySelector = function (q) {
    if (q !== '[inert]') return q === ':modal' ? modal : null;
    var hit = null; (function walk(n) { if (!hit && n.attrs && 'inert' in n.attrs) hit = n; else (n.childNodes || []).forEach(walk); })(html); return hit;
  };
  Document.prototype.querySelectorAll = function (q) { return q === ':modal' ? (modal ? [modal] : []) : /progress/.test(q) ? progress : []; };
  Document.prototype.getAnimations = function () { return anims; };
  document.activeElement = body;
  var FULL = { left: 0, top: 0, width: 800, height: 600, right: 800, bottom: 600 };
  // the page's form, frozen while body has the class saving (x610)
  var spin = mk('div', [text('Saving...')]);
  body.appendChild(spin);
  frozen = function (e) { return e === body && / saving /.test(' ' + (body.attrs && body.attrs.class || '') + ' '); };
`;

const page = (opts) => { const p = livePage(DOM, shim, opts); p.loaded(); return p; };
// n looks of the net (250 ms apart)
const looks = (p, n) => { for (let i = 0; i < n; i++) p.interval(); };
const lifted = (p) => p.run('body.style.p["pointer-events"]') === 'auto';
const stats = (p) => p.w.__crmframe.stats.input;

test('freeze: a freeze that shows progress waits 20 looks (5 s), one without waits 2 (250 ms)', () => {
  const signs = {
    'a label ending in an ellipsis (x610)': '',
    'a label ending in \u2026': 'spin.childNodes[0].data = "Salvataggio in corso\u2026"',
    'cursor: progress on body': 'spin.childNodes[0].data = "Saving"; body.cs = { cursor: "progress" }',
    'a progress bar in view': 'spin.childNodes[0].data = "Saving"; progress = [mk("div")]',
    'an endless animation in view (a spinner)': 'spin.childNodes[0].data = ""; anims = [{ playState: "running", effect: { target: spin, getTiming: function () { return { iterations: Infinity }; } } }]',
  };
  for (const [name, set] of Object.entries(signs)) {
    const p = page();
    p.run(`${set}; attr(body, "class", "saving")`);
    looks(p, 19);
    assert.equal(lifted(p), false, `${name}: 19 looks`);
    assert.equal(stats(p), undefined, name);
    looks(p, 1);
    assert.equal(lifted(p), true, `${name}: 20 looks`);
    assert.equal(stats(p), 1, name);
  }
  const none = {
    'no sign (x553)': 'spin.childNodes[0].data = "Saved"',
    'a long sentence ending in an ellipsis': 'spin.childNodes[0].data = "The quarterly renewal of the ACME account is due next month and then..."',
    'a label off view': 'spin.childNodes[0].box = { left: 10, top: 900, width: 80, height: 16, right: 90, bottom: 916 }',
    'a progress bar off view': 'spin.childNodes[0].data = "Saving"; var bar = mk("div"); bar.box = { left: 0, top: 700, width: 100, height: 4, right: 100, bottom: 704 }; progress = [bar]',
    'a finite animation': 'spin.childNodes[0].data = ""; anims = [{ playState: "running", effect: { target: spin, getTiming: function () { return { iterations: 1 }; } } }]',
    'an endless animation paused': 'spin.childNodes[0].data = ""; anims = [{ playState: "paused", effect: { target: spin, getTiming: function () { return { iterations: Infinity }; } } }]',
  };
  for (const [name, set] of Object.entries(none)) {
    const p = page();
    p.run(`${set}; attr(body, "class", "saving")`);
    looks(p, 1);
    assert.equal(lifted(p), false, `${name}: one look`);
    looks(p, 1);
    assert.equal(lifted(p), true, `${name}: two looks`);
  }
});

test('freeze: once the page ended a freeze of its own, its next freezes wait 20 looks', () => {
  const p = page();
  p.run('spin.childNodes[0].data = ""; attr(body, "class", "saving")');
  looks(p, 1);
  p.run('attr(body, "class", "")'); // the save is done before the net acts
  looks(p, 1);
  p.run('attr(body, "class", "saving")');
  looks(p, 19);
  assert.equal(lifted(p), false);
  looks(p, 1);
  assert.equal(lifted(p), true);
  // a freeze that only looks gone (a modal opened over it) was not ended
  const q = page();
  q.run('spin.childNodes[0].data = ""; attr(body, "class", "saving")');
  looks(q, 1);
  q.run('modal = mk("dialog", [text("Discard changes?")])');
  looks(q, 1);
  q.run('modal = null');
  looks(q, 2);
  assert.equal(lifted(q), true);
});

test('freeze: our pointer-events on body goes when the page changes its class; the next freeze holds (x610)', () => {
  const p = page();
  p.run('spin.childNodes[0].data = ""; attr(body, "class", "saving")');
  looks(p, 2);
  assert.equal(lifted(p), true);
  assert.equal(p.run('getComputedStyle(marker).pointerEvents'), 'auto');
  // the save ends: ours goes with it
  p.run('attr(body, "class", ""); deliver()');
  assert.equal(p.run('body.style.p["pointer-events"]'), undefined);
  // a click on Save freezes the form again: the freeze holds at once, and
  // for 20 looks (the page ended the last one itself)
  p.run('attr(body, "class", "saving"); deliver()');
  assert.equal(p.run('getComputedStyle(marker).pointerEvents'), 'none');
  looks(p, 19);
  assert.equal(lifted(p), false);
  // a write of ours or of another net (style, not pointer-events) is not the page's change
  const q = page();
  q.run('spin.childNodes[0].data = ""; attr(body, "class", "saving")');
  looks(q, 2);
  q.run('body.style.setProperty("overflow", "hidden"); attr(body, "style", "overflow: hidden"); deliver()');
  assert.equal(lifted(q), true);
});

test('freeze: a page that changes body while its own freeze stays gets its inline value back and is judged afresh', () => {
  const p = page();
  // x553: pointer-events: none inline
  p.run('spin.childNodes[0].data = ""; body.style.setProperty("pointer-events", "none"); attr(body, "style", "pointer-events: none")');
  looks(p, 2);
  assert.equal(lifted(p), true);
  p.run('attr(body, "class", "route-2"); deliver()');
  assert.equal(p.run('body.style.p["pointer-events"]'), 'none', 'the page\'s own value');
  assert.equal(p.run('body.style.i["pointer-events"]'), false);
  looks(p, 1);
  assert.equal(lifted(p), false);
  looks(p, 1);
  assert.equal(lifted(p), true, 'still frozen: not a freeze the page ended, two looks again');
  assert.equal(stats(p), 2);
  // the page writes pointer-events over ours: it is the page's again
  p.run('body.style.setProperty("pointer-events", "none"); attr(body, "style", "pointer-events: none"); deliver()');
  looks(p, 2);
  assert.equal(lifted(p), true);
});

test('freeze: a drag layer the page hides, restyles or removes takes our override back (x615)', () => {
  const setup = 'spin.childNodes[0].data = ""; var layer = mk("div"); layer.attrs = { class: "on" }; body.appendChild(layer);' +
    'layer.cs = function () { return /on/.test(layer.attrs.class || "") && !("hidden" in layer.attrs) ? { position: "fixed" } : { position: "fixed", display: "none" }; };' +
    'Object.defineProperty(layer, "box", { get: function () { return getComputedStyle(layer).display === "none" ? { left: 0, top: 0, width: 0, height: 0, right: 0, bottom: 0 } : FULL; } });' +
    'hits = function () { return getComputedStyle(layer).display !== "none" && pe(layer) !== "none" ? layer : marker; }';
  for (const [name, end] of [['class', 'attr(layer, "class", "")'], ['hidden', 'attr(layer, "hidden", "")']]) {
    const p = page();
    p.run(setup);
    looks(p, 2);
    assert.equal(p.run('layer.style.p["pointer-events"]'), 'none', name);
    p.run(`${end}; deliver()`);
    assert.equal(p.run('layer.style.p["pointer-events"]'), undefined, name);
    // the next drag: the layer takes the pointer at once, and for 20 looks
    p.run('delete layer.attrs.hidden; attr(layer, "class", "on"); deliver()');
    assert.equal(p.run('document.elementFromPoint(5, 5) === layer'), true, name);
    looks(p, 19);
    assert.equal(p.run('layer.style.p["pointer-events"]'), undefined, name);
  }
  // restyled by the page: ours goes, judged afresh (still a pane: two looks)
  let p = page();
  p.run(setup);
  looks(p, 2);
  p.run('attr(layer, "style", "transform: translate(4px, 0)"); deliver()');
  assert.equal(p.run('layer.style.p["pointer-events"]'), undefined);
  looks(p, 2);
  assert.equal(p.run('layer.style.p["pointer-events"]'), 'none');
  // taken out of the page: a freeze the page ended
  p = page();
  p.run(setup);
  looks(p, 2);
  p.run('layer.remove(); var l2 = mk("div"); l2.cs = { position: "fixed" }; l2.box = FULL; body.appendChild(l2); hits = l2');
  looks(p, 19);
  assert.equal(p.run('l2.style.p["pointer-events"]'), undefined);
  looks(p, 1);
  assert.equal(p.run('l2.style.p["pointer-events"]'), 'none');
});

test('freeze: the net\'s rule for a pseudo-element pane goes when the page changes the class of <html> (x561)', () => {
  const p = page();
  p.run('spin.childNodes[0].data = ""; html.pcs = { "::after": { content: "\\"\\"", position: "fixed", width: "800px", height: "600px" } }; attr(html, "class", "locked"); hits = html');
  looks(p, 2);
  const rules = () => p.run('document.adoptedStyleSheets.map(function (s) { return s.text; }).join("")');
  assert.match(rules(), /::after\{pointer-events:none !important\}/);
  p.run('html.pcs = {}; attr(html, "class", ""); hits = marker; deliver()');
  assert.doesNotMatch(rules(), /::after\{pointer-events/);
  // a buster that changes the class and keeps the pane: lifted again after two looks
  const q = page();
  q.run('spin.childNodes[0].data = ""; html.pcs = { "::after": { content: "\\"\\"", position: "fixed", width: "800px", height: "600px" } }; attr(html, "class", "locked"); hits = html');
  looks(q, 2);
  q.run('attr(html, "class", "locked dark"); deliver()');
  assert.doesNotMatch(q.run('document.adoptedStyleSheets.map(function (s) { return s.text; }).join("")'), /::after\{pointer-events/);
  looks(q, 2);
  assert.match(q.run('document.adoptedStyleSheets.map(function (s) { return s.text; }).join("")'), /::after\{pointer-events:none !important\}/);
});

test('freeze: detect mode counts a freeze and keeps nothing to take back', () => {
  const p = page({ mode: 'detect' });
  p.run('spin.childNodes[0].data = ""; attr(body, "class", "saving")');
  looks(p, 2);
  assert.equal(lifted(p), false);
  assert.equal(stats(p), 1);
  p.run('attr(body, "class", ""); deliver()');
  assert.equal(p.run('body.style.p["pointer-events"]'), undefined);
});

test('freeze: a "Saving…" toast at the end of <body> past the walk\'s 400 text boxes is progress (x691)', () => {
  const dense = (label) => {
    const p = page();
    // 420 figures before the toast, which the save's class shows
    p.run(`var sheet = mk("div"); for (var i = 0; i < 420; i++) sheet.appendChild(text(String(100 + i)));
      body.insertBefore(sheet, body.childNodes[2]); body.appendChild(spin); spin.childNodes[0].data = ${JSON.stringify(label)};
      attr(body, "class", "saving")`);
    return p;
  };
  const p = dense('Saving\u2026');
  looks(p, 19);
  assert.equal(lifted(p), false, '19 looks');
  looks(p, 1);
  assert.equal(lifted(p), true, '20 looks');
  // no label there: two looks, as before
  const q = dense('Saved');
  looks(q, 2);
  assert.equal(lifted(q), true);
});

test('freeze: a wait or progress cursor on the pane that blocks is progress (jQuery BlockUI, x692)', () => {
  const pane = (cursor) => {
    const p = page();
    p.run(`spin.childNodes[0].data = ""; var layer = mk("div"); body.appendChild(layer); layer.box = FULL;
      layer.cs = { position: "fixed", opacity: "0", cursor: ${JSON.stringify(cursor)} };
      hits = function () { return pe(layer) !== "none" ? layer : marker; }`);
    return p;
  };
  for (const c of ['wait', 'progress']) {
    const p = pane(c);
    looks(p, 19);
    assert.equal(p.run('layer.style.p["pointer-events"]'), undefined, `${c}: 19 looks`);
    looks(p, 1);
    assert.equal(p.run('layer.style.p["pointer-events"]'), 'none', `${c}: 20 looks`);
  }
  const p = pane('default');
  looks(p, 2);
  assert.equal(p.run('layer.style.p["pointer-events"]'), 'none', 'no sign: two looks');
  // a pseudo-element pane of <html> with cursor: wait
  const q = page();
  q.run('spin.childNodes[0].data = ""; html.pcs = { "::after": { content: "\\"\\"", position: "fixed", width: "800px", height: "600px", cursor: "wait" } }; attr(html, "class", "locked"); hits = html');
  looks(q, 19);
  assert.doesNotMatch(q.run('document.adoptedStyleSheets.map(function (s) { return s.text; }).join("")'), /::after\{pointer-events/);
  looks(q, 1);
  assert.match(q.run('document.adoptedStyleSheets.map(function (s) { return s.text; }).join("")'), /::after\{pointer-events:none !important\}/);
});

// html.locked { pointer-events: none }: body and the page inherit it (x694)
const LOCK = 'spin.childNodes[0].data = ""; frozen = function (e) { return e === html && / locked /.test(" " + (html.attrs && html.attrs.class || "") + " "); }';

test('freeze: a body that only inherits the freeze from <html> gets no override; the next lock holds (x694)', () => {
  const p = page();
  p.run(`${LOCK}; attr(html, "class", "locked")`);
  looks(p, 2);
  assert.equal(p.run('html.style.p["pointer-events"]'), 'auto');
  assert.equal(p.run('body.style.p["pointer-events"]'), undefined, 'body inherits: lifting html is enough');
  assert.equal(p.run('document.elementFromPoint(5, 5) === marker'), true);
  // the page ends the lock: ours goes, and the next lock holds (20 looks)
  p.run('attr(html, "class", ""); deliver()');
  assert.equal(p.run('html.style.p["pointer-events"]'), undefined);
  p.run('attr(html, "class", "locked"); deliver()');
  assert.equal(p.run('document.elementFromPoint(5, 5) === html'), true);
  looks(p, 19);
  assert.equal(p.run('document.elementFromPoint(5, 5) === html'), true, 'held');
  // a body frozen by its own rule too is lifted with html
  const q = page();
  q.run(`${LOCK}; frozen = (function (f) { return function (e) { return f(e) || e === body; }; })(frozen); attr(html, "class", "locked")`);
  looks(q, 2);
  assert.equal(q.run('body.style.p["pointer-events"]'), 'auto');
  assert.equal(q.run('document.elementFromPoint(5, 5) === marker'), true);
});

test('freeze: a lock ended between two looks is not one long freeze with the next (x694: 230 ms locks 280 ms apart)', () => {
  const p = page();
  p.run(`${LOCK}; attr(html, "class", "locked")`);
  looks(p, 1);
  // the lock ends (the observer's microtask sees it) and the next begins before the next look
  p.run('attr(html, "class", ""); deliver(); attr(html, "class", "locked"); deliver()');
  looks(p, 1);
  assert.equal(p.run('html.style.p["pointer-events"]'), undefined, 'two looks in two locks');
  looks(p, 18);
  assert.equal(p.run('html.style.p["pointer-events"]'), undefined, 'the page ended a lock itself: 20 looks');
  looks(p, 1);
  assert.equal(p.run('html.style.p["pointer-events"]'), 'auto');
  // the class changed but the lock never ended (removed and added in one
  // task, or churn beside it): one freeze, two looks
  for (const change of ['attr(html, "class", ""); attr(html, "class", "locked"); deliver()', 'attr(html, "class", "locked t1"); deliver(); attr(body, "class", "route-2"); deliver()']) {
    const q = page();
    q.run(`${LOCK}; attr(html, "class", "locked")`);
    looks(q, 1);
    q.run(change);
    looks(q, 1);
    assert.equal(q.run('html.style.p["pointer-events"]'), 'auto', change);
  }
});
