// Tests of the frame-busting shim (../../shim.js) in a fake framed window:
// code the server-side rewriter never sees (document.write, setTimeout
// strings), document.open(url, '_top', features) and
// location.ancestorOrigins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// window framed by a foreign desktop (the CRM root) unless framed is false.
function framedWindow({ framed = true, mode = null, ancestors = ['http://desk.test'] } = {}) {
  const calls = { timeout: [], written: [], opened: [] };
  const desk = { name: 'desk' };
  const w = {
    console,
    setTimeout: (code) => { calls.timeout.push(code); return 1; },
    setInterval: (code) => { calls.timeout.push(code); return 2; },
    open: (url, target) => { calls.opened.push([url, target]); return null; },
    addEventListener() {},
  };
  w.window = w;
  w.top = framed ? desk : w;
  w.parent = framed ? desk : w;
  w.frameElement = null;
  const ctx = vm.createContext(w);
  // objects of the window's own realm (Object.prototype accessors apply)
  w.location = vm.runInContext(`({ href: 'http://crm.test/a.html', protocol: 'http:', ancestorOrigins: ${JSON.stringify(framed ? ancestors : [])} })`, ctx);
  vm.runInContext(`
    function Document() {}
    Document.prototype.open = function () { return this; };
    Document.prototype.write = function (s) { written.push(s); };
    Document.prototype.writeln = function (s) { written.push(s); };
    Document.prototype.close = function () {};
    function Node() {} function Element() {} function HTMLElement() {} function HTMLFormElement() {} function HTMLScriptElement() {}
    Element.prototype = Object.create(Node.prototype); HTMLElement.prototype = Object.create(Element.prototype);
    HTMLScriptElement.prototype = Object.create(HTMLElement.prototype);
    Object.defineProperty(Node.prototype, 'textContent', { get: function () { return this._text; }, set: function (v) { this._text = v; }, configurable: true });
    Object.defineProperty(Element.prototype, 'innerHTML', { get: function () { return this._html; }, set: function (v) { this._html = v; }, configurable: true });
    Object.defineProperty(HTMLScriptElement.prototype, 'text', { get: function () { return this._text; }, set: function (v) { this._text = v; }, configurable: true });
    Element.prototype.setAttribute = function (k, v) { this['attr:' + k] = v; };
    Element.prototype.getAttribute = function (k) { return this['attr:' + k] === undefined ? null : this['attr:' + k]; };
    Element.prototype.insertAdjacentHTML = function (where, h) { this._html = h; };
    function el(name) { var e = new (name === 'script' ? HTMLScriptElement : HTMLElement)(); e.localName = name; e.onclick = null; return e; }
    HTMLFormElement.prototype.submit = function () {};
    var document = new Document();
    document.readyState = 'loading';
    document.currentScript = { getAttribute: function (n) { return n === 'data-crmframe-breakout' ? mode : null; } };
  `.replace(/written/g, '__written'), Object.assign(ctx, { __written: calls.written, mode }));
  vm.runInContext(shim, ctx, { filename: 'shim.js' });
  return { w, calls };
}

test('setTimeout/setInterval code strings get the virtual top', () => {
  const { w, calls } = framedWindow();
  w.setTimeout('if (top != self) top.location = self.location', 10);
  w.setInterval("window.top.location.replace(window['top'].x); var o = {top: 1}; el.style.top = 'top'; // top", 10);
  const fn = () => {};
  w.setTimeout(fn, 1);
  assert.deepEqual(calls.timeout, [
    'if (__crmframe_top != self) __crmframe_top.location = self.location',
    "window.__crmframe_top.location.replace(window['__crmframe_top'].x); var o = {top: 1}; el.style.top = 'top'; // top",
    fn,
  ]);
  assert.equal(w.__crmframe.stats.code, 2);
});

test('scripts and handlers written by document.write get the virtual top', () => {
  const { w, calls } = framedWindow();
  w.document.write('<scr' + 'ipt>if (top.location != location) top.location.href = location.href;</scr' + 'ipt><p>back to top</p>');
  w.document.write('<div onclick="top.location.href=window.location.href" style="top:0">top</div><script src="top.js"></script>');
  assert.deepEqual(calls.written, [
    '<script>if (__crmframe_top.location != location) __crmframe_top.location.href = location.href;</script><p>back to top</p>',
    '<div onclick="__crmframe_top.location.href=window.location.href" style="top:0">top</div><script src="top.js"></script>',
  ]);
});

test('detect mode only counts', () => {
  const { w, calls } = framedWindow({ mode: 'detect' });
  w.setTimeout('top.location = location', 1);
  assert.deepEqual(calls.timeout, ['top.location = location']);
  assert.equal(w.__crmframe.stats.code, 1);
});

test('document.open(url, "_top", features) is window.open, retargeted', () => {
  const { w, calls } = framedWindow();
  w.document.open('b.html', '_top', '');
  assert.deepEqual(calls.opened, [['b.html', '_self']]);
});

test('location.ancestorOrigins through the accessor: nothing above the CRM root', () => {
  const { w } = framedWindow();
  const list = vm.runInContext('location.__crmframe_ancestorOrigins', w);
  assert.equal(list.length, 0);
  assert.equal(list.contains('http://desk.test'), false);
  const plain = framedWindow({ framed: false });
  assert.equal(vm.runInContext('location.__crmframe_ancestorOrigins', plain.w), plain.w.location.ancestorOrigins);
  // on other objects it is the property itself
  assert.equal(vm.runInContext('({ancestorOrigins: 5}).__crmframe_ancestorOrigins', w), 5);
});

test('script text, handler attributes and inserted HTML set by script get the virtual top', () => {
  const { w } = framedWindow();
  const r = JSON.parse(vm.runInContext(`JSON.stringify((function () {
    var s = el('script'); s.text = 'if (top != self) top.location = self.location';
    var s2 = el('script'); s2.textContent = 'top.postMessage(1, "*"); window.top.x = 1';
    var tpl = el('script'); tpl.setAttribute('type', 'text/template'); tpl.textContent = '<p>top</p>';
    var b = el('button'); b.setAttribute('onclick', 'top.location = location'); b.setAttribute('title', 'top');
    var d = el('div'); d.innerHTML = '<img onload="if(top!=self)top.location=self.location" style="top:0">top';
    var p = el('p'); p.textContent = 'back to top';
    var x = el('div'); x.insertAdjacentHTML('beforeend', "<a onclick='parent.top.x()'>top</a>");
    return [s.text, s2.textContent, tpl.textContent, b.getAttribute('onclick'), b.getAttribute('title'), d.innerHTML, p.textContent, x.innerHTML];
  })())`, w));
  assert.deepEqual(r, [
    'if (__crmframe_top != self) __crmframe_top.location = self.location',
    'top.postMessage(1, "*"); window.__crmframe_top.x = 1',
    '<p>top</p>',
    '__crmframe_top.location = location',
    'top',
    '<img onload="if(__crmframe_top!=self)__crmframe_top.location=self.location" style="top:0">top',
    'back to top',
    "<a onclick='parent.__crmframe_top.x()'>top</a>",
  ]);
});

test('__crmframe_code (the rewriter wraps eval arguments in it): swap when framed, identity otherwise', () => {
  const { w } = framedWindow();
  assert.equal(w.__crmframe_code('if (top != self) top.location = self.location'), 'if (__crmframe_top != self) __crmframe_top.location = self.location');
  const o = {};
  assert.equal(w.__crmframe_code(o), o);
  assert.equal(w.__crmframe_code(), undefined);
  const plain = framedWindow({ framed: false });
  assert.equal(plain.w.__crmframe_code('top.location = 1'), 'top.location = 1');
  const off = framedWindow({ mode: 'off' });
  assert.equal(off.w.__crmframe_code('top.location = 1'), 'top.location = 1');
});
