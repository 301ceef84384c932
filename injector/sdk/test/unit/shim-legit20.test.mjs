// A with-object that claims every name (a form designer's formula sandbox:
// has: () => true, undefined for names it does not know, legit20, x1093)
// answered undefined for the bare helper of with code, __crmframe_vtop(top):
// a TypeError where the formula reads a field named top. In code with a
// with statement the bare helpers are read off a string's prototype.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

test('with code over a sandbox that claims every name still computes a field named top', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const r = run(`(function () {
    var fields = { top: 10, height: 30, parent: { top: 100 } };
    var s = new Proxy(fields, { has: function () { return true; },
      get: function (t, p) { return p === Symbol.unscopables ? undefined : t[p]; } });
    var f = new Function('scope', 'with (scope) { return [top + height, parent.top + 4, typeof top, (top > 5) ? top : 0].join() }');
    return f(s);
  })()`);
  assert.equal(r, '40,104,number,10');
});

test('with code: the bare helpers are read off a string, other code keeps its names', () => {
  const { w, run } = framedPage(LOADING_DOM, shim);
  assert.equal(w.__crmframe_code('with (s) { return top + h }'), "with (s) { return ''.__crmframe_vtop(top) + h }");
  assert.equal(w.__crmframe_code("with (s) { top.postMessage(1, '/') }"), "with (s) { ''.__crmframe_post(top).postMessage(1, '/') }");
  assert.equal(w.__crmframe_code('return top + h'), 'return __crmframe_vtop(top) + h');
  // the real top still becomes the virtual one through the string's helper
  assert.equal(run("''.__crmframe_vtop(top) === __crmframe_vtop(top) && ''.__crmframe_vtop === __crmframe_vtop && ''.__crmframe_post === __crmframe_post"), true);
  assert.equal(run("Object.keys(String.prototype).length + ':' + Object.getOwnPropertyDescriptor(String.prototype, '__crmframe_vtop').writable"), '0:false');
});

test('with code: a with-object that hands out its own helper no longer gets the real top', () => {
  // before: __crmframe_vtop resolved through the with-object, which could
  // answer an identity function for it and leave the bare top the real one
  const { w, run } = framedPage(LOADING_DOM, shim);
  const got = run(`new Function("with (new Proxy({}, {has: function (t, p) { return p !== 'top'; }, get: function () { return function (x) { return x; }; }})) { return top; }")()`);
  assert.notEqual(got, w.top);
  assert.equal(got, run('__crmframe_vtop(top)'));
});
