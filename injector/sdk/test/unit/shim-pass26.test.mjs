// Pass 26: SVG links whose effective target or href no attribute shows —
// animated by SMIL (<set attributeName="target" to="_top">, an href
// animated to a javascript: URL: x860-x866, x874), or copied into a <use>
// element's shadow tree, where the click lands on a copy no event path
// shows (x869-x872, x875); served targets handed to the pristine functions
// of a frame still loading its page (x876, x877, x879).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, FORM_DOM, ATTR_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// Elements keep attributes; an SVG root samples its animations when its
// time is set; a click event on an SVG link records the target and href the
// browser would follow (the animated ones, as last sampled).
const DOM = FORM_DOM + ATTR_DOM + `
  var SVG = 'http://www.w3.org/2000/svg';
  Element.prototype.getAttributeNS = function () { return null; };
  Element.prototype.hasAttributeNS = function () { return false; };
  Element.prototype.getRootNode = function () { return root; };
  var nav = [], bboxes = 0, anims = [], byId = {};
  var root = {
    querySelectorAll: function () { return anims; },
    getElementById: function (id) { return byId[id] || null; }
  };
  function make(name, attrs) { var e = new Element(); e.localName = name; e.namespaceURI = SVG; for (var k in attrs) e['attr:' + k] = attrs[k]; return e; }
  var svg = make('svg', {});
  svg.ownerSVGElement = null;
  svg.getCurrentTime = function () { return 1; };
  svg.setCurrentTime = function () { anims.forEach(function (a) { var n = a.targetElement; n.anim = n.anim || {}; n.anim[a.getAttribute('attributeName')] = a.getAttribute('to') || a.getAttribute('values').split(';').pop(); }); };
  function link(attrs) { var a = make('a', attrs); a.ownerSVGElement = svg; a._parent = svg; return a; }
  function animate(name, el, attrs) { var a = make(name, attrs); a.targetElement = el; anims.push(a); return a; }
  function eff(a, k) { return a.anim && a.anim[k] !== undefined ? a.anim[k] : a.getAttribute(k); }
  EventTarget.prototype.dispatchEvent = function (e) { nav.push([e.type, eff(this, 'target'), eff(this, 'href')]); return true; };
  Element.prototype.getBBox = function () { bboxes++; return {}; };
  // a frame whose window is still the initial one of a page it loads
  function HTMLIFrameElement() {} HTMLIFrameElement.prototype = Object.create(HTMLElement.prototype);
  Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', { get: function () { return this._cw; }, configurable: true });
  var served = [];
  Document.prototype.querySelectorAll = function () { return served; };
  var document = new Document();
  document.readyState = 'loading';
  document.currentScript = null;
`;

const page = (opts) => framedPage(DOM, shim, opts);

test('an SVG link whose target SMIL animates to _top navigates the CRM root; other values stay (x860, x861)', () => {
  const { w, run } = page();
  const nav = run(`
    var a = link({ href: 'x.html', target: '_self' });
    animate('set', a, { attributeName: 'target', to: '_top' });
    var b = link({ href: 'y.html' });
    var s = animate('animate', b, { attributeName: 'target', values: 'detail; _TOP' });
    var other = animate('set', b, { attributeName: 'fill', to: '_top' });
    svg.setCurrentTime(0);
    a.dispatchEvent({ type: 'click' });
    b.dispatchEvent({ type: 'click' });
    nav.push(s.getAttribute('values'), other.getAttribute('to'), a.getAttribute('target'));
    nav`);
  assert.deepEqual(JSON.parse(JSON.stringify(nav)), [['click', '_self', 'x.html'], ['click', '_self', 'y.html'], 'detail;_self', '_top', '_self']);
  assert.equal(w.__crmframe.stats.target, 2);
});

test('an SVG link whose href SMIL animates to a javascript: URL runs the swapped code (x864)', () => {
  const { run } = page();
  const nav = run(`
    var a = link({ href: 'x.html' });
    animate('set', a, { attributeName: 'href', to: "javascript:top.location.href='z.html'" });
    var b = link({ href: 'x.html' });
    animate('set', b, { attributeName: 'href', to: 'javascript:openCard(7)' });
    svg.setCurrentTime(0);
    a.dispatchEvent({ type: 'click' });
    b.dispatchEvent({ type: 'click' });
    nav`);
  assert.equal(nav[0][2], "javascript:__crmframe_vtop(top).location.href='z.html'");
  assert.equal(nav[1][2], 'javascript:openCard(7)');
});

test('a click on a <use> fixes the links of what it copies, and has it copied again (x869, x871)', () => {
  const { w, run } = page();
  const out = run(`
    var orig = link({ href: 'x.html', target: '_top' }); byId.next = orig;
    var g = make('g', {}); var inner = make('use', { href: '#next' }); g.querySelectorAll = function () { return [inner]; }; byId.btn = g;
    orig.querySelectorAll = function () { return []; };
    var u = make('use', { href: '#btn' }); u._parent = svg;
    u.dispatchEvent({ type: 'click' });
    var plain = link({ href: 'p.html', target: 'detail' }); plain.querySelectorAll = function () { return []; }; byId.p = plain;
    var v = make('use', { href: '#p' }); v._parent = svg;
    v.dispatchEvent({ type: 'click' });
    [orig.getAttribute('target'), plain.getAttribute('target'), bboxes]`);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), ['_self', 'detail', 1]);
  assert.equal(w.__crmframe.stats.target, 1);
});

test('detect mode only counts an animated _top target', () => {
  const { w, run } = page({ mode: 'detect' });
  const nav = run(`
    var a = link({ href: 'x.html' });
    animate('set', a, { attributeName: 'target', to: '_top' });
    svg.setCurrentTime(0);
    a.dispatchEvent({ type: 'click' });
    nav`);
  assert.deepEqual(JSON.parse(JSON.stringify(nav)), [['click', '_top', 'x.html']]);
  assert.equal(w.__crmframe.stats.target, 1);
});

test('a loading frame\'s click, dispatchEvent, submit and requestSubmit retarget what they follow, and nothing else (x876, x877, x879, x880)', () => {
  const { w, run } = page();
  const out = run(`
    function el(C, name, attrs) { var e = new C(); e.localName = name; e.namespaceURI = 'http://www.w3.org/1999/xhtml'; for (var k in attrs) e['attr:' + k] = attrs[k]; return e; }
    var f = el(HTMLFormElement, 'form', { target: '_top' }), a = el(HTMLElement, 'a', { href: 'x.html', target: '_TOP' });
    var keep = el(HTMLElement, 'a', { href: 'y.html', target: 'detail' }), g = el(HTMLFormElement, 'form', { target: '_top' });
    served.push(f, a, keep, g);
    // the loading frame's realm: its pristine functions say what they follow
    var calls = [];
    function CET() {} CET.prototype.dispatchEvent = function (e) { calls.push(['dispatch', this.getAttribute('target')]); return true; };
    function CHE() {} CHE.prototype = Object.create(CET.prototype);
    CHE.prototype.click = function () { calls.push(['click', this.getAttribute('target')]); };
    function CHF() {} CHF.prototype = Object.create(CHE.prototype);
    CHF.prototype.submit = function () { calls.push(['submit', this.getAttribute('target')]); };
    CHF.prototype.requestSubmit = function () { calls.push(['requestSubmit', this.getAttribute('target')]); };
    var fr = el(HTMLIFrameElement, 'iframe', { src: 'report.html' });
    fr._cw = { document: { contentType: 'text/html' }, location: { protocol: 'about:' }, EventTarget: CET, HTMLElement: CHE, HTMLFormElement: CHF };
    var cw = fr.contentWindow, click = cw.HTMLElement.prototype.click;
    var read = [f.getAttribute('target'), a.getAttribute('target'), g.getAttribute('target')];
    fr.contentWindow; // the same window: not hooked again
    var once = cw.HTMLElement.prototype.click === click;
    cw.HTMLFormElement.prototype.submit.call(f);
    click.call(a);
    cw.EventTarget.prototype.dispatchEvent.call(keep, { type: 'click' });
    cw.HTMLFormElement.prototype.requestSubmit.call(g);
    [read, once, calls]`);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), [
    ['_top', '_TOP', '_top'], true,
    [['submit', '_self'], ['click', '_self'], ['dispatch', 'detail'], ['requestSubmit', '_self']]
  ]);
  assert.equal(w.__crmframe.stats.target, 3);
});
