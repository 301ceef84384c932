// shimcost: the use net's look for [inert] anywhere queries the whole
// document (≈ 0.5 ms on a 16k-element page, four times a second) only when
// the element it found last lost the attribute or left; otherwise it reads
// the records of an observer of the whole document since the last look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, SHEET_DOM, NAV_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

const DOM = LIVE_DOM + SHEET_DOM + NAV_DOM + `
  // window listeners the tests fire themselves
  var winL = {}, rawAdd = window.addEventListener;
  window.addEventListener = function (n, f, c) { (winL[n] = winL[n] || []).push(f); return rawAdd(n, f, c); };
  // events: what the page's calls reached (log)
  function Event(type, o) { this.type = type; this.log = []; Object.assign(this, o || {}); }
  Event.prototype.stopPropagation = function () { this.log.push('stop'); };
  Event.prototype.stopImmediatePropagation = function () { this.log.push('stopNow'); };
  Event.prototype.preventDefault = function () { this.log.push('prevent'); };
  Object.defineProperty(Event.prototype, 'cancelBubble', { get: function () { return this.log.indexOf('cb') >= 0; }, set: function (v) { if (v) this.log.push('cb'); }, configurable: true, enumerable: true });
  Object.defineProperty(Event.prototype, 'returnValue', { get: function () { return this.log.indexOf('rv') < 0; }, set: function (v) { if (!v) this.log.push('rv'); }, configurable: true, enumerable: true });
  // attributes, boxes, computed style (e.cs, e.pcs[pseudo])
  EP.getAttribute = function (k) { return this.attrs && k in this.attrs ? this.attrs[k] : null; };
  EP.removeAttribute = function (k) { if (this.attrs) delete this.attrs[k]; };
  EP.closest = function () { for (var e = this; e && e.nodeType === 1; e = e.parentNode) if (e.attrs && 'inert' in e.attrs) return e; return null; };
  EP.getBoundingClientRect = function () { return this.box || { left: 0, top: 0, width: 100, height: 20, right: 100, bottom: 20 }; };
  EP.checkVisibility = function () { return true; };
  Object.defineProperty(EP, 'innerText', { get: function () { return this.textContent; } });
  var DEF = { display: 'block', visibility: 'visible', opacity: '1', position: 'static', backgroundColor: 'rgba(0, 0, 0, 0)', backgroundImage: 'none', boxShadow: 'none',
    content: 'none', pointerEvents: 'auto', width: 'auto', height: 'auto', contentVisibility: 'visible', clipPath: 'none', transform: 'none', filter: 'none',
    maskImage: 'none', color: 'rgb(0, 0, 0)', webkitTextFillColor: 'rgb(0, 0, 0)', textShadow: 'none', webkitTextStrokeWidth: '0px', zIndex: 'auto', backdropFilter: 'none' };
  function getComputedStyle(e, pseudo) { return Object.assign({}, DEF, pseudo ? (e.pcs || {})[pseudo] : e.cs); }
  // hit testing: hits(x, y) or an element; every text box at (10, 10)
  var hits = null, modal = null, dialogs = [];
  Document.prototype.elementFromPoint = function (x, y) { return typeof hits === 'function' ? hits(x, y) : hits; };
  Document.prototype.createTreeWalker = function (root) {
    var list = []; (function walk(n) { n.childNodes.forEach(function (c) { if (c.nodeType === 3) list.push(c); else walk(c); }); })(root);
    var i = 0; return { nextNode: function () { return list[i++] || null; } };
  };
  Document.prototype.createRange = function () { var n = null; return { selectNodeContents: function (x) { n = x; }, getClientRects: function () { return [n.box || { left: 10, top: 10, width: 80, height: 16, right: 90, bottom: 26 }]; } }; };
  var inertQueries = 0;
  EP.hasAttribute = function (k) { return !!this.attrs && k in this.attrs; };
  Object.defineProperty(NP, 'ownerDocument', { get: function () { return document; } });
  // a record for the observers of the whole document (the fake's own go to a parent's only)
  var note = function (r) { observers.forEach(function (o) { if (o.targets.indexOf(document) >= 0) queue.push([o, Object.assign({ addedNodes: [], removedNodes: [] }, r)]); }); };
  Document.prototype.querySelector = function (q) {
    if (q !== '[inert]') return q === ':modal' ? modal : null;
    inertQueries++;
    var hit = null; (function walk(n) { if (!hit && n.attrs && 'inert' in n.attrs) hit = n; else (n.childNodes || []).forEach(walk); })(html); return hit;
  };
  Document.prototype.querySelectorAll = function (q) { return q === ':modal' ? (modal ? [modal] : []) : q === ':popover-open' ? [] : dialogs; };
  document.activeElement = body;
  var FULL = { left: 0, top: 0, width: 800, height: 600, right: 800, bottom: 600 };
`;

const page = () => { const p = livePage(DOM, shim); p.loaded(); return p; };
const twoLooks = (p) => { p.interval(); const first = p.w.__crmframe.stats.input; p.interval(); return first; };

test('shimcost: [inert] is queried once, then found from the records: an inert wrapper added, inert set on body', () => {
  for (const [name, set, hit, still] of [
    ['added', 'var wr = mk("div"); wr.attrs = { inert: "" }; body.childNodes.slice().forEach(function (c) { wr.appendChild(c); }); body.appendChild(wr); note({ type: "childList", target: body, addedNodes: [wr] })', 'body', '"inert" in wr.attrs'],
    ['added inside', 'var wr = mk("div"), in2 = mk("div"); in2.attrs = { inert: "" }; body.childNodes.slice().forEach(function (c) { in2.appendChild(c); }); wr.appendChild(in2); body.appendChild(wr); wr.querySelector = function () { return in2; }; note({ type: "childList", target: body, addedNodes: [wr] })', 'body', '"inert" in in2.attrs'],
    ['attribute', 'body.attrs = { inert: "" }; note({ type: "attributes", target: body, attributeName: "inert" })', 'html', '"inert" in body.attrs']]) {
    const p = page();
    p.run('hits = marker');
    p.interval(); p.interval(); p.interval();
    assert.equal(p.run('inertQueries'), 1, `${name}: one query while nothing changed`);
    p.run(`${set}; hits = ${hit}`);
    assert.equal(twoLooks(p), undefined, `${name}: not at the first look`);
    assert.equal(p.run(still), false, name);
    assert.equal(p.w.__crmframe.stats.input, 1, name);
    assert.equal(p.run('inertQueries'), 1, `${name}: found without a query`);
  }
});

test('shimcost: [inert] taken off or taken out is queried again; without an observer every look queries', () => {
  const p = page();
  p.run('body.attrs = { inert: "" }; hits = html; modal = mk("dialog", [text("Edit contact")])'); // kept: a modal is open
  p.interval(); p.interval();
  assert.equal(p.run('inertQueries'), 1);
  assert.equal(p.run('body.attrs.inert'), '');
  p.run('delete body.attrs.inert; note({ type: "attributes", target: body, attributeName: "inert" }); hits = marker');
  p.interval(); p.interval();
  assert.equal(p.run('inertQueries'), 2, 'queried once after it went');
  // a second inert element the first query did not return: found when the first one leaves
  p.run('var a = mk("div"), b2 = mk("div"); a.attrs = { inert: "" }; b2.attrs = { inert: "" }; body.appendChild(a); body.appendChild(b2); note({ type: "childList", target: body, addedNodes: [a, b2] })');
  p.interval();
  assert.equal(p.run('inertQueries'), 2);
  p.run('body.removeChild(a)');
  p.interval();
  assert.equal(p.run('inertQueries'), 3, 'the one found left: queried');
  p.interval();
  assert.equal(p.run('inertQueries'), 3, 'b2 still inert: no query');
  const q = livePage(DOM + 'MutationObserver = undefined;', shim);
  q.loaded();
  q.run('hits = marker');
  q.interval(); q.interval();
  assert.equal(q.run('inertQueries'), 2, 'no observer: a query at each look');
});
