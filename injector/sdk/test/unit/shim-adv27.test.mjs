// Pass 27 (adv27): a frame still loading its src page keeps a pristine
// realm; its Reflect.get, descriptor getters, __lookupGetter__ and open,
// applied to the CRM window, handed out the real top or named _top
// (x888-x894). Once its window is handed out they answer as the CRM
// window's own do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// The loading frame's realm is made of the functions as they were before
// the shim ran (PRISTINE), as a fresh realm's are.
const DOM = LOADING_DOM + `
  var gopd = Object.getOwnPropertyDescriptor;
  var PRISTINE = { F: Function, rget: Reflect.get, gopd: Object.getOwnPropertyDescriptor, rgopd: Reflect.getOwnPropertyDescriptor,
    gopds: Object.getOwnPropertyDescriptors, lookup: function (k) { var ds = gopd(this, k); return ds && ds.get; }, entries: Object.entries };
  var opened = [];
  function loadingFrame() {
    var fr = new HTMLIFrameElement();
    fr.localName = 'iframe';
    fr['attr:src'] = 'report.html';
    var cw = { document: { contentType: 'text/html' }, location: { protocol: 'about:' },
      Reflect: { get: PRISTINE.rget, getOwnPropertyDescriptor: PRISTINE.rgopd },
      Object: { getOwnPropertyDescriptor: PRISTINE.gopd, getOwnPropertyDescriptors: PRISTINE.gopds, entries: PRISTINE.entries, prototype: { __lookupGetter__: PRISTINE.lookup } },
      open: function (u, t) { opened.push(['frame', this === cw ? 'cw' : this === window ? 'crm' : '?', u, t]); return null; } };
    fr._cw = cw;
    return fr;
  }
`;

function page(opts) {
  const my = {};
  const { w, run } = framedPage(DOM, shim, opts, { open(u, t) { my.w.crmOpened.push(['crm', u, t]); return null; } });
  my.w = w;
  return { w, run };
}

test('a loading frame\'s Reflect.get, descriptor getters and __lookupGetter__ give the CRM window its virtual top (x889-x893)', () => {
  const { run } = page();
  const out = run(`
    var cw = loadingFrame().contentWindow;
    [cw.Reflect.get(window, 'top'),
     cw.Object.getOwnPropertyDescriptor(window, 'top').get.call(window),
     cw.Reflect.getOwnPropertyDescriptor(window, 'top').get.call(window),
     cw.Object.getOwnPropertyDescriptors(window).top.get.call(window),
     cw.Object.prototype.__lookupGetter__.call(window, 'top').call(window),
     cw.Object.entries(window).filter(function (e) { return e[0] === 'top'; })[0][1],
     cw.Reflect.get({ top: 5 }, 'top')].map(function (x) { return x === window ? 'crm' : x && x.name === 'desk' ? 'desk' : x; })`);
  // the CRM root's virtual top is itself; an ordinary object keeps its own top
  assert.deepEqual(JSON.parse(JSON.stringify(out)), ['crm', 'crm', 'crm', 'crm', 'crm', 'crm', 5]);
});

test('a loading frame\'s open called on the CRM window is the CRM window\'s; called on itself it stays (x888, x894)', () => {
  const { w, run } = page();
  w.crmOpened = [];
  const out = run(`
    var cw = loadingFrame().contentWindow;
    cw.open.call(window, 'x.html', '_top');
    cw.open('y.html', '_top');
    cw.open.call(window, 'z.html', 'detail');
    [opened, window.crmOpened]`);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), [
    [['frame', 'cw', 'y.html', '_top']],
    [['crm', 'x.html', '_self'], ['crm', 'z.html', 'detail']]
  ]);
  assert.equal(w.__crmframe.stats.open, 1);
});

test('detect mode: a loading frame\'s views stay real', () => {
  const { run } = page({ mode: 'detect' });
  assert.equal(run(`loadingFrame().contentWindow.Reflect.get(window, 'top').name`), 'desk');
});

// A realm whose nodes know their document and window (the getters delegate
// reads through) and a hooked member, Element.prototype.setAttribute (the
// shim swaps handler code set through it).
const NODE_DOM = `
  var PRISTINE = {};
  function EventTarget() {} function Node() {} function Element() {} function HTMLElement() {} function HTMLFormElement() {}
  function Document() {}
  Node.prototype = Object.create(EventTarget.prototype);
  Element.prototype = Object.create(Node.prototype); HTMLElement.prototype = Object.create(Element.prototype);
  HTMLFormElement.prototype = Object.create(HTMLElement.prototype);
  Document.prototype = Object.create(Node.prototype);
  HTMLElement.prototype.onclick = null;
  Object.defineProperty(Node.prototype, 'nodeType', { get: function () { return this._nt || 1; }, configurable: true });
  Object.defineProperty(Node.prototype, 'ownerDocument', { get: function () { return this._doc || null; }, configurable: true });
  Object.defineProperty(Document.prototype, 'defaultView', { get: function () { return this._win || null; }, configurable: true });
  Element.prototype.setAttribute = function (k, v) { this['attr:' + k] = String(v); };
  Element.prototype.getAttribute = function (k) { return this['attr:' + k] === undefined ? null : this['attr:' + k]; };
  Element.prototype.hasAttribute = function (k) { return this['attr:' + k] !== undefined; };
  Document.prototype.open = function () { return this; };
  Document.prototype.write = function () {};
  Document.prototype.writeln = function () {};
  Document.prototype.close = function () {};
  Document.prototype.querySelector = function () { return null; };
  function HTMLIFrameElement() {} HTMLIFrameElement.prototype = Object.create(HTMLElement.prototype);
  Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', { get: function () { return this._cw; }, configurable: true });
  var document = new Document();
  document._nt = 9;
  document._win = window;
  document.readyState = 'loading';
  document.currentScript = null;
  function el() { var e = new HTMLElement(); e._doc = document; return e; }
  // the loading frame's realm: its own classes, its own document
  function loadingFrame() {
    function CE() {} CE.prototype.setAttribute = function (k, v) { this['attr:' + k] = 'pristine:' + v; };
    var cw = { location: { protocol: 'about:' }, Element: CE };
    cw.document = { _nt: 9, _win: cw, contentType: 'text/html' };
    Object.setPrototypeOf(cw.document, Document.prototype);
    var fr = new HTMLIFrameElement();
    fr.localName = 'iframe';
    fr['attr:src'] = 'report.html';
    fr._cw = cw;
    return fr;
  }
`;

test('a loading frame\'s hooked DOM members run the CRM window\'s own on its nodes, the pristine ones on the frame\'s (x899, x901, x903)', () => {
  const { run } = framedPage(NODE_DOM, shim);
  const out = run(`
    var cw = loadingFrame().contentWindow;
    var a = el(), b = new Element(); b._doc = cw.document;
    var set = cw.Element.prototype.setAttribute;
    set.call(a, 'onclick', 'if (top != self) top.location = "x"');
    set.call(b, 'onclick', 'top.location = "y"');
    set.call(a, 'title', 'plain');
    [a.getAttribute('onclick'), b.getAttribute('onclick'), a.getAttribute('title')]`);
  assert.notEqual(out[0], 'if (top != self) top.location = "x"');
  assert.match(out[0], /__crmframe/); // the CRM window's swap
  assert.equal(out[1], 'pristine:top.location = "y"'); // the frame's own node
  assert.equal(out[2], 'plain');
});

test('code a loading frame\'s Function compiles gets the swap and reads the virtual top there (x902)', () => {
  const { run } = page();
  const out = run(`
    var fr = loadingFrame(), cw = fr._cw;
    // the frame's realm: its Function compiles in a scope whose top is the
    // real one (a with over the frame's window stands in for its global)
    cw.top = window.top;
    cw.Function = function () { var a = [].slice.call(arguments), body = a.pop(); return new PRISTINE.F('w', 'with (w) { return function (' + a.join(',') + ') { ' + body + ' }; }')(cw); };
    fr.contentWindow; // handed out
    var outer = cw.Function('return top')(), local = cw.Function('top', 'return top + 1')(1), made = new cw.Function('return 6 * 7')();
    [outer === window ? 'crm' : outer && outer.name, local, made]`);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), ['crm', 2, 42]);
});
