// Pass 19: a page seen but unusable. Capture listeners of window/document/
// html/body that stop or cancel every trusted click and key lose that power
// at the CRM root; inert on html/body or a wrapper of all the text, a pane
// that shows nothing over the viewport and a transparent pseudo-element pane
// are lifted when they stay 250 ms. A modal, a focus trap, a drag, a
// shortcut, a busy page and a nested frame keep what they do.
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
  Document.prototype.querySelector = function (q) {
    if (q !== '[inert]') return q === ':modal' ? modal : null;
    var hit = null; (function walk(n) { if (!hit && n.attrs && 'inert' in n.attrs) hit = n; else (n.childNodes || []).forEach(walk); })(html); return hit;
  };
  Document.prototype.querySelectorAll = function (q) { return q === ':modal' ? (modal ? [modal] : []) : q === ':popover-open' ? [] : dialogs; };
  document.activeElement = body;
  var FULL = { left: 0, top: 0, width: 800, height: 600, right: 800, bottom: 600 };
`;

const page = (opts) => { const p = livePage(DOM, shim, opts); p.loaded(); return p; };
// a trusted event of the page's, at a capture listener of window
const ev = (p, type, extra = '') => p.run(`new Event(${JSON.stringify(type)}, Object.assign({ isTrusted: true, eventPhase: 1, currentTarget: window, target: marker, clientX: 10, clientY: 10 }, ${extra || '{}'}))`);
// what a swallowing listener's calls did
const swallowed = (e) => { e.stopImmediatePropagation(); e.stopPropagation(); e.preventDefault(); e.cancelBubble = true; e.returnValue = false; return [...e.log]; };

test('pass19: capture listeners of window/document/html/body lose their stop and cancel of trusted input', () => {
  for (const [type, at, extra] of [['click', 'window', ''], ['mousedown', 'document', ''], ['pointerdown', 'html', ''], ['keydown', 'body', '{ key: "a", target: body }'],
    ['keydown', 'document', '{ key: "Shift" }'], ['keypress', 'window', '{ key: "x" }'], ['focusin', 'document', ''], ['mouseup', 'window', '']]) {
    const p = page();
    const mk = () => { const e = ev(p, type, extra); p.run(`(function (e) { e.currentTarget = ${at}; })`)(e); return e; };
    const proof = type === 'click' || /Shift/.test(extra);
    if (!proof) {
      // a press or a typed key alone: the page may mean it (x600-x605)
      assert.equal(swallowed(mk()).length, 5, `${type} at ${at}, before a click was swallowed`);
      assert.equal(p.w.__crmframe.stats.input, undefined, `${type} at ${at}`);
      assert.deepEqual(swallowed(ev(p, 'click')), [], 'a swallowed click');
    }
    assert.deepEqual(swallowed(mk()), [], `${type} at ${at}`);
    assert.equal(p.w.__crmframe.stats.input, proof ? 5 : 10, `${type} at ${at}`);
  }
});

test('pass19: stops and cancels the page means keep working', () => {
  const cases = {
    'an untrusted event': ['click', '{ isTrusted: false }'],
    'the bubble phase': ['click', '{ eventPhase: 3 }'],
    'a listener on an element': ['click', '{ currentTarget: marker }'],
    'a shortcut (Ctrl+S)': ['keydown', '{ key: "s", ctrlKey: true }'],
    'Tab (a focus trap)': ['keydown', '{ key: "Tab" }'],
    'Escape': ['keydown', '{ key: "Escape" }'],
    'an arrow key': ['keydown', '{ key: "ArrowDown" }'],
    'a context menu': ['contextmenu', ''],
    'a drag start': ['dragstart', ''],
    'a selection start': ['selectstart', ''],
    'a wheel': ['wheel', ''],
  };
  for (const [name, [type, extra]] of Object.entries(cases)) {
    const p = page();
    assert.equal(swallowed(ev(p, type, extra)).length, 5, name);
    assert.equal(p.w.__crmframe.stats.input, undefined, name);
  }
  // a modal <dialog>, an aria-modal dialog with text
  let p = page();
  p.run('modal = mk("dialog", [text("Delete this contact?")])');
  assert.equal(swallowed(ev(p, 'click')).length, 5, 'modal dialog');
  p = page();
  p.run('dialogs = [mk("div", [text("Save changes?")])]');
  assert.equal(swallowed(ev(p, 'mousedown')).length, 5, 'aria-modal');
  // focus held in a widget the click is outside of (focus-trap)
  p = page();
  p.run('document.activeElement = mk("div", [mk("input")])');
  assert.equal(swallowed(ev(p, 'click')).length, 5, 'focus trap');
  // the click that ends a drag (a drop suppresses it)
  p = page();
  p.run('winL.pointerdown.forEach(function (f) { f({ clientX: 10, clientY: 10 }); })');
  assert.equal(swallowed(ev(p, 'click', '{ clientX: 60 }')).length, 5, 'drag end');
  assert.deepEqual(swallowed(ev(p, 'click', '{ clientX: 12 }')), [], 'a click where it was pressed');
});

test('pass19: detect mode counts a swallow and lets it be; a nested CRM frame is not touched', () => {
  let p = page({ mode: 'detect' });
  assert.equal(swallowed(ev(p, 'click')).length, 5);
  assert.equal(p.w.__crmframe.stats.input, 5);
  p = page({ nested: true });
  assert.equal(swallowed(ev(p, 'click')).length, 5);
  assert.equal(p.w.__crmframe.stats.input, undefined);
});

// the net looks every 250 ms (interval); a state seen at two looks is lifted
const twoLooks = (p) => { p.interval(); const first = p.w.__crmframe.stats.input; p.interval(); return first; };

test('pass19: inert on body, on <html> or on a wrapper of all the text is lifted when it stays 250 ms', () => {
  for (const [name, set, hit, still] of [['body', 'body.attrs = { inert: "" }', 'html', '"inert" in body.attrs'], ['html', 'html.attrs = { inert: "" }', 'null', '"inert" in html.attrs'],
    ['wrapper', 'var wr = mk("div"); wr.attrs = { inert: "" }; body.childNodes.slice().forEach(function (c) { wr.appendChild(c); }); body.appendChild(wr)', 'body', '"inert" in wr.attrs']]) {
    const p = page();
    p.run(`${set}; hits = ${hit}`);
    assert.equal(twoLooks(p), undefined, `${name}: not at the first look`);
    assert.equal(p.run(still), false, name);
    assert.equal(p.w.__crmframe.stats.input, 1, name);
  }
});

test('pass19: inert stays when the page takes input somewhere, a modal is open, it is busy, a button is held, or it was taken back', () => {
  const keep = {
    'a slide off view, the rest hit': 'var s = mk("div", [text("slide 2")]); s.attrs = { inert: "" }; body.appendChild(s); hits = function (x, y) { return marker; }',
    'siblings of an open modal (Headless UI)': 'body.attrs = { inert: "" }; hits = html; modal = mk("dialog", [text("Edit contact")])',
    'an aria-modal dialog': 'body.attrs = { inert: "" }; hits = html; dialogs = [mk("div", [text("Session expired")])]',
    'a lock pane the page shows': 'body.attrs = { inert: "" }; var lock = mk("div"); lock.cs = { position: "fixed", backgroundColor: "rgba(0, 0, 0, 0.5)" }; lock.box = FULL; hits = lock',
    'a busy page (aria-busy)': 'body.attrs = { inert: "", "aria-busy": "true" }; hits = html',
    'a button held': 'body.attrs = { inert: "" }; hits = html; winL.pointerdown.forEach(function (f) { f({ clientX: 1, clientY: 1 }); })',
  };
  for (const [name, set] of Object.entries(keep)) {
    const p = page();
    p.run(set);
    twoLooks(p);
    assert.equal(p.run('(body.attrs || {}).inert'), name === 'a slide off view, the rest hit' ? undefined : '', name);
    assert.equal(p.w.__crmframe.stats.input, undefined, name);
  }
  const p = page();
  p.run('body.attrs = { inert: "" }; hits = html');
  p.interval();
  p.run('delete body.attrs.inert; hits = marker');
  p.interval();
  p.run('body.attrs.inert = ""; hits = html');
  p.interval(); // seen once since it came back
  assert.equal(p.run('body.attrs.inert'), '');
  assert.equal(p.w.__crmframe.stats.input, undefined);
});

test('pass19: a pane that shows nothing over the viewport lets clicks through; a pane the page shows stays', () => {
  for (const cs of ['{ position: "fixed", opacity: "0.001", backgroundColor: "rgb(255, 255, 255)" }', '{ position: "absolute" }']) {
    const p = page();
    p.run(`var pane = mk("div"); pane.cs = ${cs}; pane.box = FULL; body.appendChild(pane); hits = pane`);
    twoLooks(p);
    assert.equal(p.run('pane.style.p["pointer-events"]'), 'none', cs);
    assert.equal(p.w.__crmframe.stats.input, 1, cs);
  }
  const keep = {
    'a dimmed loading pane': 'pane.cs = { position: "fixed", backgroundColor: "rgba(255, 255, 255, 0.6)" }; pane.box = FULL',
    'a transparent pane with a message': 'pane.cs = { position: "fixed" }; pane.box = FULL; pane.appendChild(text("Session locked"))',
    'a pane with a picture': 'pane.cs = { position: "fixed", backgroundImage: "url(lock.png)" }; pane.box = FULL',
    'a small transparent box': 'pane.cs = { position: "absolute" }; pane.box = { left: 0, top: 0, width: 200, height: 40, right: 200, bottom: 40 }',
    'an in-flow box': 'pane.box = FULL',
  };
  for (const [name, set] of Object.entries(keep)) {
    const p = page();
    p.run(`var pane = mk("div"); body.appendChild(pane); ${set}; hits = pane`);
    twoLooks(p);
    assert.equal(p.run('pane.style.p["pointer-events"]'), undefined, name);
    assert.equal(p.w.__crmframe.stats.input, undefined, name);
  }
});

test('pass19: a transparent pseudo-element pane of html/body lets clicks through (net rule)', () => {
  const p = page();
  p.run('html.pcs = { "::after": { content: "\\"\\"", position: "fixed", width: "800px", height: "600px" } }; hits = html');
  twoLooks(p);
  assert.match(p.run('document.adoptedStyleSheets.map(function (s) { return s.text; }).join("")'), /::after\{pointer-events:none !important\}/);
  assert.equal(p.w.__crmframe.stats.input, 1);
  // one that already lets clicks through, or a small badge: no rule
  for (const pcs of ['{ content: "\\"\\"", position: "fixed", width: "800px", height: "600px", pointerEvents: "none" }', '{ content: "\\"beta\\"", position: "fixed", width: "40px", height: "20px" }']) {
    const q = page();
    q.run(`html.pcs = { "::after": ${pcs} }; hits = html`);
    twoLooks(q);
    assert.doesNotMatch(q.run('document.adoptedStyleSheets.map(function (s) { return s.text; }).join("")'), /pointer-events/, pcs);
  }
});

test('pass19: detect mode counts a dead page and leaves it as it is', () => {
  const p = page({ mode: 'detect' });
  p.run('body.attrs = { inert: "" }; hits = html');
  twoLooks(p);
  assert.equal(p.run('body.attrs.inert'), '');
  assert.equal(p.w.__crmframe.stats.input, 1);
});

test('pass19: pointer-events none on html/body is lifted when nothing in view takes pointer events; a drag with drop zones keeps it', () => {
  const DESC = 'EP.getElementsByTagName = function () { var out = []; (function walk(n) { n.childNodes.forEach(function (c) { if (c.nodeType === 1) { out.push(c); walk(c); } }); })(this); return out; }';
  for (const at of ['body', 'html']) {
    const p = page();
    // pointer-events is inherited: every element computes none
    p.run(`${DESC}; var none = { pointerEvents: "none" }; html.cs = body.cs = none; body.getElementsByTagName("*").forEach(function (e) { e.cs = none; }); hits = html`);
    assert.equal(twoLooks(p), undefined, `${at}: not at the first look`);
    assert.equal(p.run('body.style.p["pointer-events"]'), 'auto', at);
    assert.equal(p.run('body.style.i["pointer-events"]'), true, at);
    assert.equal(p.w.__crmframe.stats.input, 1, at);
  }
  // a drop zone (pointer-events: auto) in view: the page still takes pointer events
  const p = page();
  p.run(`${DESC}; var none = { pointerEvents: "none" }; body.cs = none; body.getElementsByTagName("*").forEach(function (e) { e.cs = none; }); var zone = mk("div"); zone.cs = { pointerEvents: "auto" }; body.appendChild(zone); hits = html`);
  twoLooks(p);
  p.interval();
  assert.equal(p.run('body.style.p["pointer-events"]'), undefined);
  assert.equal(p.w.__crmframe.stats.input, undefined);
});

test('pass19: the dead-page walk (a forced layout) runs only on a suspect found without layout, or after pointer input went to html/body', () => {
  const p = page();
  // a pane deep in the page that no cheap look finds (restyled in place
  // after its insertion was looked at): hit tests would say dead
  p.run('var calls = 0, pane = mk("div"); pane.box = FULL; var wrap = mk("div", [mk("div", [pane])]); body.insertBefore(wrap, body.childNodes[0]); hits = function () { calls++; return pane; }');
  p.interval();
  p.run('pane.cs = { position: "fixed", opacity: "0" }');
  p.interval(); p.interval(); p.interval();
  assert.equal(p.run('calls'), 0, 'no suspect: no hit test');
  assert.equal(p.run('pane.style.p["pointer-events"]'), undefined);
  // the agent moves the pointer: it lands on html (trusted), the walk runs
  p.run('winL.pointermove.forEach(function (f) { f({ isTrusted: true, target: html, clientX: 5, clientY: 5 }); })');
  p.interval(); p.interval();
  assert.ok(p.run('calls') > 0, 'poked: hit tests');
  assert.equal(p.run('pane.style.p["pointer-events"]'), 'none');
  // untrusted input does not poke
  const q = page();
  q.run('var calls = 0; hits = function () { calls++; return marker; }');
  q.run('winL.pointermove.forEach(function (f) { f({ isTrusted: false, target: html }); })');
  q.interval(); q.interval();
  assert.equal(q.run('calls'), 0);
});

test('pass19: a walk cut at its cap looks at the ends of <body>: a live drawer keeps a dense sheet inert, an inert one does not (x646)', () => {
  for (const [name, drawerInert, lifted] of [['live drawer', false, false], ['drawer inert too', true, true]]) {
    const p = page();
    p.run(`var app = mk("div"); app.attrs = { inert: "" };
      for (var i = 0; i < 420; i++) app.appendChild(mk("span", [text("cell " + i)]));
      var note = text("Quick edit"); note.box = { left: 600, top: 10, width: 80, height: 16, right: 680, bottom: 26 };
      var drawer = mk("aside", [note]); ${drawerInert ? 'drawer.attrs = { inert: "" };' : ''}
      body.insertBefore(app, body.firstChild); body.appendChild(drawer);
      hits = function (x, y) { return x >= 600 && !${drawerInert} ? drawer : body; }`);
    twoLooks(p);
    assert.equal(p.run('"inert" in app.attrs'), !lifted, name);
    assert.equal(p.w.__crmframe.stats.input, lifted ? 1 : undefined, name);
  }
});

// The use net's look for [inert] anywhere queries the whole document (≈ 0.5
// ms on a 16k-element page, four times a second) only when the element it
// found last lost the attribute or left; otherwise it reads the records of
// an observer of the whole document since the last look. COST_DOM counts
// the queries and lets a test hand that observer its records (note).
const COST_DOM = DOM + `
  var inertQueries = 0, qs0 = Document.prototype.querySelector;
  Document.prototype.querySelector = function (q) { if (q === '[inert]') inertQueries++; return qs0.call(this, q); };
  EP.hasAttribute = function (k) { return !!this.attrs && k in this.attrs; };
  Object.defineProperty(NP, 'ownerDocument', { get: function () { return document; } });
  // a record for the observers of the whole document (the fake's own go to a parent's only)
  var note = function (r) { observers.forEach(function (o) { if (o.targets.indexOf(document) >= 0) queue.push([o, Object.assign({ addedNodes: [], removedNodes: [] }, r)]); }); };
`;
const costPage = () => { const p = livePage(COST_DOM, shim); p.loaded(); return p; };

test('shimcost: [inert] is queried once, then found from the records: an inert wrapper added, inert set on body', () => {
  for (const [name, set, hit, still] of [
    ['added', 'var wr = mk("div"); wr.attrs = { inert: "" }; body.childNodes.slice().forEach(function (c) { wr.appendChild(c); }); body.appendChild(wr); note({ type: "childList", target: body, addedNodes: [wr] })', 'body', '"inert" in wr.attrs'],
    ['added inside', 'var wr = mk("div"), in2 = mk("div"); in2.attrs = { inert: "" }; body.childNodes.slice().forEach(function (c) { in2.appendChild(c); }); wr.appendChild(in2); body.appendChild(wr); wr.querySelector = function () { return in2; }; note({ type: "childList", target: body, addedNodes: [wr] })', 'body', '"inert" in in2.attrs'],
    ['attribute', 'body.attrs = { inert: "" }; note({ type: "attributes", target: body, attributeName: "inert" })', 'html', '"inert" in body.attrs']]) {
    const p = costPage();
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
  const p = costPage();
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
  const q = livePage(COST_DOM + 'MutationObserver = undefined;', shim);
  q.loaded();
  q.run('hits = marker');
  q.interval(); q.interval();
  assert.equal(q.run('inertQueries'), 2, 'no observer: a query at each look');
});
