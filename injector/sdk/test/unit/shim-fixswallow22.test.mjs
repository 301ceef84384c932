// A click cancelled on a link or submit control by a capture listener of
// window/document/html/body may be the page's router or unsaved-changes
// guard (x720, x731): the cancel keeps its effect, and proves a blanket
// swallower only when for 1.5 s the page neither navigates, fetches, opens a
// dialog nor adds or removes an element. Any other click is judged at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIVE_DOM, livePage } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

const DOM = LIVE_DOM + `
  // events: what the page's calls reached (log)
  function Event(type, o) { this.type = type; this.log = []; Object.assign(this, o || {}); }
  Event.prototype.stopPropagation = function () { this.log.push('stop'); };
  Event.prototype.preventDefault = function () { this.log.push('prevent'); };
  // what a router or guard can do next; navigate() fires the Navigation API's event
  var navL = [], calls = [];
  var navigation = { addEventListener: function (n, f) { if (n === 'navigate') navL.push(f); } };
  function navigate() { navL.forEach(function (f) { f({}); }); }
  function History() {} History.prototype.pushState = function () { calls.push('push'); };
  var history = new History();
  function XMLHttpRequest() {} XMLHttpRequest.prototype.send = function () { calls.push('xhr'); };
  function fetch(u) { calls.push('fetch ' + u); return 'response'; }
  function confirm() { calls.push('confirm'); return false; }
  var dialogs = [];
  Document.prototype.querySelectorAll = function (q) { return /dialog/.test(q) ? dialogs : []; };
  EP.checkVisibility = function () { return true; };
  Object.defineProperty(EP, 'innerText', { get: function () { return this.textContent; } });
  document.activeElement = body;
  nav.getAttribute = function (k) { return k === 'href' ? 'x720.html?step=2' : null; };
`;

// a trusted click (or type) at a capture listener of window, on target
const ev = (p, target, type = 'click') => p.run(`new Event(${JSON.stringify(type)}, { isTrusted: true, eventPhase: 1, currentTarget: window, target: ${target}, clientX: 10, clientY: 10 })`);
// what a listener's preventDefault and stopPropagation reached
const cancel = (e) => { e.preventDefault(); e.stopPropagation(); return [...e.log]; };
const input = (p) => p.w.__crmframe.stats.input;

test('fixswallow22: a cancelled link click stays cancelled while the page routes or saves (x720, x731)', () => {
  const moves = {
    'navigates (Navigation API)': 'navigate()',
    'pushState': 'history.pushState({}, "", "?step=2")',
    'fetches the view': 'fetch("x731.html?step=2")',
    'sends an XHR': 'new XMLHttpRequest().send()',
    'asks to leave': 'confirm("Leave without saving?")',
    'adds an element': 'html.appendChild(mk("div", [text("Saving...")]))',
    'opens a dialog': 'dialogs = [mk("div", [text("Discard your changes?")])]',
  };
  for (const [name, code] of Object.entries(moves)) {
    const p = livePage(DOM, shim);
    // the span inside the link is what was clicked
    const e = ev(p, 'mk("span", [text("next")])');
    p.run('(function (e) { nav.appendChild(e.target); })')(e);
    assert.deepEqual(cancel(e), ['prevent', 'stop'], name);
    assert.equal(input(p), undefined, name);
    p.run(code);
    p.later(1500);
    assert.equal(input(p), undefined, name);
    // not proven: its presses stay its own, and its next link click is graced again
    assert.deepEqual(cancel(ev(p, 'marker', 'mousedown')), ['prevent', 'stop'], `${name}: a press afterwards`);
    assert.deepEqual(cancel(ev(p, 'nav')), ['prevent', 'stop'], `${name}: the next link click`);
  }
  // the wrappers call through, and answer toString as the page's functions did
  const p = livePage(DOM, shim);
  assert.equal(p.run('fetch("a")'), 'response');
  assert.equal(p.run('confirm("b")'), false);
  assert.equal(p.run('calls.join("|")'), 'fetch a|confirm');
  assert.match(p.run('String(fetch)'), /calls\.push\('fetch ' \+ u\)/);
});

test('fixswallow22: a link click cancelled by a page that then does nothing proves a swallower after the grace', () => {
  for (const [name, target, extra] of [['a link', 'nav', ''], ['a submit button', 'sub', 'var sub = mk("button"); sub.type = "submit"; sub.form = {}; body.appendChild(sub);']]) {
    const p = livePage(DOM, shim);
    p.run(extra);
    assert.deepEqual(cancel(ev(p, target)), ['prevent', 'stop'], name);
    // a ticker rewriting its text and a style added are not a page at work
    p.run('html.appendChild(text("waiting 3")); html.appendChild(mk("style"))');
    p.later(1500);
    assert.equal(input(p), 1, name);
    // from then on its clicks, links too, and presses are dropped at once
    assert.deepEqual(cancel(ev(p, target)), [], `${name}: the next click`);
    assert.deepEqual(cancel(ev(p, 'marker', 'mousedown')), [], `${name}: a press`);
  }
});

test('fixswallow22: other clicks are judged at once; a button outside a form or of type button is no submit control', () => {
  for (const [name, extra] of [['a span', 'var t = marker;'], ['a link without href', 'var t = mk("a"); body.appendChild(t);'],
    ['a button of type button', 'var t = mk("button"); t.type = "button"; t.form = {}; body.appendChild(t);'],
    ['a submit button outside a form', 'var t = mk("button"); t.type = "submit"; t.form = null; body.appendChild(t);']]) {
    const p = livePage(DOM, shim);
    p.run(extra);
    assert.deepEqual(cancel(ev(p, 't')), [], name);
    assert.equal(input(p), 2, name);
  }
  // a press cancelled during a link's grace is still the page's own
  const p = livePage(DOM, shim);
  cancel(ev(p, 'nav'));
  assert.deepEqual(cancel(ev(p, 'marker', 'mousedown')), ['prevent', 'stop']);
  // detect mode: the same verdict, counted, nothing dropped
  const q = livePage(DOM, shim, { mode: 'detect' });
  assert.deepEqual(cancel(ev(q, 'nav')), ['prevent', 'stop']);
  q.later(1500);
  assert.equal(input(q), 1);
  assert.deepEqual(cancel(ev(q, 'nav')), ['prevent', 'stop']);
  assert.equal(input(q), 3);
});
