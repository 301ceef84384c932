// adv29: an empty target (a link's target="", a form's target="", a
// submitter's formtarget="") is no target in Chromium: the follow takes the
// document's <base target>. Since the seventeenth legitimate pass a
// <base target=_top> set by script is kept, so the follow-time retarget
// must read an empty value as the base target (x963-x965).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shimRealm, FORM_DOM, ATTR_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// click() and submit() record the target the browser would read at the
// follow (the element's own, or the base's when empty: Chromium)
const DOM = FORM_DOM + ATTR_DOM + `
  Element.prototype.removeAttribute = function (k) { delete this['attr:' + k]; };
  Element.prototype.getAttributeNS = function () { return null; };
  Element.prototype.hasAttributeNS = function () { return false; };
  Document.prototype.querySelector = function (s) { return s === 'base[target]' && this.base && this.base.hasAttribute('target') ? this.base : null; };
  var eff = function (v) { return v || (document.base ? document.base.getAttribute('target') || '' : ''); };
  Document.prototype.querySelectorAll = function (s) { return s === 'base[target]' ? this.bases.filter(function (b) { return b.hasAttribute('target'); }) : []; };
  // the page's own handler (after ours) runs before the follow reads its target
  HTMLElement.prototype.click = function () { if (this.handler) this.handler(); followed.push(eff(this.getAttribute('target'))); };
  HTMLFormElement.prototype.submit = function () { followed.push(eff(this.getAttribute('target'))); };
  HTMLFormElement.prototype.requestSubmit = function (b) { if (this.handler) this.handler(); followed.push(eff(b && b.hasAttribute('formtarget') ? b.getAttribute('formtarget') : this.getAttribute('target'))); };
  // put: the platform's insertion (the hooks the shim wraps call it)
  var put = function (x) { if (x.localName === 'base') { document.bases.push(x); document.base = document.bases[0]; } return x; };
  Node.prototype.appendChild = function (x) { return put(x); };
  Element.prototype.insertAdjacentElement = function (w, x) { return put(x); };
  // a fragment's nodes leave it as they go in
  function DocumentFragment() { this.kids = []; }
  DocumentFragment.prototype = Object.create(Node.prototype);
  DocumentFragment.prototype.nodeType = 11;
  DocumentFragment.prototype.querySelector = function (s) { return this.kids.filter(function (k) { return k.localName === 'base'; })[0] || null; };
  HTMLElement.prototype.querySelector = function () { return null; };
  Element.prototype.append = function () { for (var i = 0; i < arguments.length; i++) { var x = arguments[i]; if (x instanceof DocumentFragment) { x.kids.forEach(put); x.kids = []; } else put(x); } };
  Node.prototype.removeChild = function (x) { document.bases = document.bases.filter(function (b) { return b !== x; }); document.base = document.bases[0]; return x; };
  var followed = [];
  function make(name, attrs) { var e = name === 'form' ? new HTMLFormElement() : new HTMLElement(); e.localName = name; for (var k in attrs) e['attr:' + k] = attrs[k]; return e; }
  var document = new Document();
  document.bases = [];
  document.readyState = 'loading';
  document.currentScript = null;
`;

function page() {
  const desk = { name: 'desk' };
  const timers = [];
  const w = {
    console, setTimeout: (f, ms) => { timers.push([f, ms | 0]); return timers.length; }, setInterval: () => 2, open: () => null,
    addEventListener() {}, __crmframe_breakout: null,
  };
  w.window = w;
  Object.defineProperty(w, 'top', { get: () => desk, enumerable: true });
  w.parent = desk;
  w.frameElement = null;
  w.location = { href: 'http://crm.test/a.html', protocol: 'http:', origin: 'http://crm.test', ancestorOrigins: ['http://desk.test'] };
  return shimRealm(w, DOM, shim, timers);
}

test('an empty link target follows a <base target=_top> set by script: retargeted, lent (x963)', () => {
  const { run, tick } = page();
  run(`document.base = make('base', {}); document.bases = [document.base]; document.base.setAttribute('target', '_top')`);
  assert.equal(run(`document.base.getAttribute('target')`), '_top', 'kept outside a follow');
  const t = run(`var a = make('a', { href: 'x963.html?step=3' }); a.setAttribute('target', ''); a.click(); followed.pop()`);
  assert.notEqual(t, '_top');
  assert.equal(t, '_self');
  tick(0);
  assert.equal(run(`a.getAttribute('target')`), '', 'the page\'s empty value back');
});

test('an empty formtarget or form target takes the base target (x964, x965)', () => {
  const { run, tick } = page();
  run(`document.base = make('base', {}); document.bases = [document.base]; document.base.setAttribute('target', '_top')`);
  // formtarget="" overrides the form's _self with no target: the base's
  assert.equal(run(`var f = make('form', { target: '_self' }), b = make('button', { type: 'submit', formtarget: '' }); f.requestSubmit(b); followed.pop()`), '_self');
  assert.equal(run(`var g = make('form', { target: '' }); g.submit(); followed.pop()`), '_self');
  tick(0);
  assert.deepEqual([...run(`[b.getAttribute('formtarget'), g.getAttribute('target'), f.getAttribute('target')]`)], ['', '', '_self']);
});

test('an empty target under a named or _self base is left alone', () => {
  const { run } = page();
  run(`document.base = make('base', { target: 'results' }); document.bases = [document.base]`);
  assert.equal(run(`var a = make('a', { href: 'r.html', target: '' }); a.click(); [followed.pop(), a.getAttribute('target')].join()`), 'results,');
});

test('a base target kept as written cannot decide a follow whose own target the page takes off (x966)', () => {
  const { run, tick } = page();
  run(`document.head = make('head', {}); var b = make('base', {}); b.setAttribute('target', '_top'); document.head.appendChild(b)`);
  assert.equal(run(`b.getAttribute('target')`), '_top', 'kept outside a follow');
  const t = run(`var a = make('a', { href: 'x966.html?step=3', target: '_self' }); a.handler = function () { a.removeAttribute('target'); }; a.click(); followed.pop()`);
  assert.equal(t, '_self');
  tick(0);
  assert.equal(run(`b.getAttribute('target')`), '_top', 'the base lent for the follow only');
});

test('a base put in or uncovered by the page during a follow is fixed (x967, x968)', () => {
  const { run, tick } = page();
  run(`document.head = make('head', {}); var b = make('base', {}); b.setAttribute('target', '_top')`);
  // x967: built outside a follow, appended by the link's click handler
  assert.equal(run(`var a = make('a', { href: 'x967.html?step=3' }); a.handler = function () { document.head.appendChild(b); }; a.click(); followed.pop()`), '_self');
  tick(0);
  assert.equal(run(`b.getAttribute('target')`), '_top');
  // x968: a _self base first, the kept _top one second; the submit handler removes the first
  run(`document.bases = []; var b1 = make('base', { target: '_self' }); document.head.appendChild(b1); document.head.appendChild(b)`);
  assert.equal(run(`var f = make('form', {}); f.handler = function () { document.head.removeChild(b1); }; f.requestSubmit(); followed.pop()`), '_self');
  tick(0);
  assert.equal(run(`b.getAttribute('target')`), '_top');
  // outside a follow an inserted base stays as written
  assert.equal(run(`document.bases = []; var c = make('base', {}); c.setAttribute('target', '_top'); document.head.appendChild(c); c.getAttribute('target')`), '_top');
});

test('a base put in through a fragment or insertAdjacentElement during a follow is fixed (x961)', () => {
  const { run, tick } = page();
  run(`document.head = make('head', {}); var b = make('base', {}); b.setAttribute('target', '_top'); var a = make('a', { href: 'x961.html?step=3' })`);
  assert.equal(run(`a.handler = function () { document.head.insertAdjacentElement('afterbegin', b); }; a.click(); followed.pop()`), '_self');
  tick(0);
  assert.equal(run(`b.getAttribute('target')`), '_top');
  assert.equal(run(`document.bases = []; document.base = null; var fr = new DocumentFragment(); fr.kids.push(b); a.handler = function () { document.head.append(fr); }; a.click(); followed.pop()`), '_self');
  tick(0);
  assert.equal(run(`b.getAttribute('target')`), '_top');
});
