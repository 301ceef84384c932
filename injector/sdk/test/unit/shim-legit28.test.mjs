// Sixteenth legitimate pass (legit28): what the shim changed that honest
// pages read back. A retarget made at click or submit time is lent for the
// navigation in progress only (x908, x909, x917); hooks put into a loading
// frame's realm answer as the platform's functions (x911); declarative
// shadow roots parsed into a detached tree lose the marker element (x910).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shimRealm, framedPage, TARGET_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

const DOM = TARGET_DOM + `
  var nav = [];
  EventTarget.prototype.dispatchEvent = function (e) { nav.push([e.type, this.getAttribute('target')]); return true; };
  HTMLFormElement.prototype.submit = function () { nav.push(['submit', this.getAttribute('target')]); };
  HTMLFormElement.prototype.requestSubmit = function () { nav.push(['requestSubmit', this.getAttribute('target')]); };
  var served = null;
  Document.prototype.querySelector = function (s) { return s === 'base[target]' ? served : null; };
`;

function page({ mode = null } = {}) {
  const desk = { name: 'desk' };
  const timers = [];
  const w = { console, setTimeout: (f, ms) => { timers.push([f, ms | 0]); return timers.length; }, setInterval: () => 2, open: () => null, addEventListener() {}, __crmframe_breakout: mode };
  w.window = w;
  Object.defineProperty(w, 'top', { get: () => desk, enumerable: true });
  w.parent = desk;
  w.frameElement = null;
  w.location = { href: 'http://crm.test/a.html', protocol: 'http:', origin: 'http://crm.test', ancestorOrigins: ['http://desk.test'] };
  const { run, tick } = shimRealm(w, DOM, shim, timers);
  return { w, run, tick, timers };
}

test('a _top target retargeted at click or submit time reads back as served in the next task (x908, x909)', () => {
  const { w, run, tick } = page();
  const during = run(`
    var a = make('a', { href: 'out.html', target: '_top' });
    var f = make('form', { target: '_TOP' });
    var g = make('form', {});
    a.dispatchEvent({ type: 'click' });
    f.requestSubmit();
    f.submit();
    served = make('base', { target: '_top' });
    g.submit();
    served = null;
    [a.getAttribute('target'), f.getAttribute('target'), g.getAttribute('target')]`);
  // the browser follows the root's name...
  assert.deepEqual(JSON.parse(JSON.stringify(run('nav'))), [['click', '_self'], ['requestSubmit', '_self'], ['submit', '_self'], ['submit', '_self']]);
  assert.deepEqual(JSON.parse(JSON.stringify(during)), ['_self', '_self', '_self']);
  tick(0);
  // ...and a cancelled follow leaves the links and forms as written
  assert.deepEqual(JSON.parse(JSON.stringify(run(`[a.getAttribute('target'), f.getAttribute('target'), g.hasAttribute('target')]`))), ['_top', '_TOP', false]);
  assert.equal(w.__crmframe.stats.target, 3);
  // every later follow is retargeted again
  run(`a.dispatchEvent({ type: 'click' })`);
  assert.deepEqual(JSON.parse(JSON.stringify(run('nav[nav.length - 1]'))), ['click', '_self']);
});

test('a target the page wrote before the next task stays as the page wrote it', () => {
  const { run, tick } = page();
  run(`var a = make('a', { href: 'out.html', target: '_top' }); a.dispatchEvent({ type: 'click' }); Element.prototype.setAttribute.call(a, 'target', 'detail')`);
  tick(0);
  assert.equal(run(`a.getAttribute('target')`), 'detail');
});

// A frame loading its src page: its initial window (kept for that page) is
// a realm of its own, where the CRM page's reads of contentWindow put the
// pass-26 hooks; then the page's own shim runs there.
import vm from 'node:vm';
const CHILD_DOM = DOM + `
  HTMLElement.prototype.click = function click() { nav.push(['click']); };
  EventTarget.prototype.dispatchEvent = function dispatchEvent(e) { nav.push([e.type]); return true; };
  HTMLFormElement.prototype.submit = function submit() {};
  HTMLFormElement.prototype.requestSubmit = function requestSubmit(s) {};
`;
const FRAME_DOM = DOM + `
  function HTMLIFrameElement() {} HTMLIFrameElement.prototype = Object.create(HTMLElement.prototype);
  Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', { get: function () { return this._cw; }, configurable: true });
`;

test('hooks put into a loading frame\'s realm answer name, length, realm and source as the platform\'s, also to the page that comes (x911)', () => {
  const { w, run } = framedPage(FRAME_DOM, shim);
  // the frame's window, a realm of its own
  const cw = { console, setTimeout: () => 1, setInterval: () => 2, open: () => null, addEventListener() {} };
  cw.window = cw;
  vm.createContext(cw);
  vm.runInContext(CHILD_DOM, cw);
  const orig = vm.runInContext('[HTMLElement.prototype.click, EventTarget.prototype.dispatchEvent, HTMLFormElement.prototype.submit, HTMLFormElement.prototype.requestSubmit]', cw);
  cw.document = vm.runInContext('document', cw);
  cw.Function = vm.runInContext('Function', cw); // a browser window's own property
  w.cwForTest = cw;
  run(`var fr = new HTMLIFrameElement(); fr._cw = cwForTest; fr.contentWindow`);
  const hooked = vm.runInContext('[HTMLElement.prototype.click, EventTarget.prototype.dispatchEvent, HTMLFormElement.prototype.submit, HTMLFormElement.prototype.requestSubmit]', cw);
  assert.ok(hooked.every((f, i) => f !== orig[i]), 'hooked');
  const look = vm.runInContext(`[HTMLElement.prototype.click, EventTarget.prototype.dispatchEvent, HTMLFormElement.prototype.requestSubmit].map(function (f) {
    return [f.name, f.length, f instanceof Function, Object.getPrototypeOf(f) === Function.prototype];
  })`, cw);
  assert.deepEqual(JSON.parse(JSON.stringify(look)), [['click', 0, true, true], ['dispatchEvent', 1, true, true], ['requestSubmit', 1, true, true]]);
  // the CRM page's own toString shows the platform's source
  assert.equal(run(`Function.prototype.toString.call(cwForTest.HTMLElement.prototype.click)`), String(orig[0]));
  // the page that comes runs its shim in that realm: its wrappers too
  // answer with the platform's source, not with our hook's
  const cdesk = { name: 'desk' };
  Object.defineProperty(cw, 'top', { get: () => cdesk, enumerable: true });
  cw.parent = cdesk; cw.frameElement = null;
  cw.location = { href: 'http://crm.test/report.html', protocol: 'http:', origin: 'http://crm.test', ancestorOrigins: ['http://desk.test'] };
  vm.runInContext(shim, cw, { filename: 'shim.js' });
  const src = vm.runInContext(`[HTMLElement.prototype.click, HTMLFormElement.prototype.submit].map(function (f) { return [Function.prototype.toString.call(f), f.name]; })`, cw);
  assert.deepEqual(JSON.parse(JSON.stringify(src)), [[String(orig[0]), 'click'], [String(orig[2]), 'submit']]);
});

// setHTMLUnsafe parses declarative shadow roots: a host per template, its
// root holding an element per tag of the template (the marker included).
const DSD_DOM = DOM + `
  var customElements = { define: function () {} };
  function Kid(name, parent) { this.nodeType = 1; this.localName = name; this.parent = parent; }
  Object.defineProperty(Kid.prototype, 'nextSibling', { get: function () { var k = this.parent.kids; return k[k.indexOf(this) + 1] || null; } });
  function Root() { this.kids = []; this.listens = 0; this.nodeType = 11; }
  Object.defineProperty(Root.prototype, 'firstChild', { get: function () { return this.kids[0] || null; } });
  Root.prototype.removeChild = function (c) { this.kids.splice(this.kids.indexOf(c), 1); return c; };
  Root.prototype.querySelectorAll = function () { return []; };
  Root.prototype.addEventListener = function () { this.listens++; };
  Element.prototype.setHTMLUnsafe = function (html) {
    var host = new HTMLElement(); host.localName = 'crm-card';
    var m = /<template[^>]*shadowrootmode="(\\w+)"[^>]*>([\\s\\S]*)<\\/template>/.exec(html), r = new Root();
    (m[2].match(/<[a-z-]+[^>]*/g) || []).forEach(function (t) { var k = new Kid(/[a-z-]+/.exec(t)[0], r); if (/\\sclosed/.test(t)) k['attr:closed'] = ''; r.kids.push(k); });
    host.shadowRoot = m[1] === 'open' ? r : null; host.root = r;
    this.kids = [host];
    this.html = html;
  };
  Element.prototype.querySelectorAll = function () { return this.kids || []; };
`;

test('declarative roots parsed into a detached tree lose the marker and get our listeners; a closed one is parsed open and closed again (x910, x790)', () => {
  const { run } = framedPage(DSD_DOM, shim, {}, { Reflect });
  const out = run(`
    var box = new HTMLElement(), box2 = new HTMLElement();
    box.setHTMLUnsafe('<crm-card><template shadowrootmode="open"><style>b{}</style><div>card</div></template></crm-card>');
    box2.setHTMLUnsafe("<crm-card><template shadowrootmode='closed'><div>card</div></template></crm-card>");
    var r = box.kids[0].root, r2 = box2.kids[0].root;
    [box.html.indexOf('crmframe-dsd') > 0, r.kids.map(function (k) { return k.localName; }), r.listens > 0,
      /shadowrootmode="open"/.test(box2.html), r2.kids.map(function (k) { return k.localName; }), r2.listens > 0, box2.kids[0].shadowRoot,
      __crmframe.judgeRoot !== undefined]`);
  // the marker went in (the root may be clicked or submitted later), and is
  // gone from both roots, which have our listeners; the page still sees no
  // shadowRoot on the host of the one it wrote closed
  assert.deepEqual(JSON.parse(JSON.stringify(out)), [true, ['style', 'div'], true, true, ['div'], true, null, true]);
});
