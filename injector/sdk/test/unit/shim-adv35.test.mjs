// Pass 35 (adv35): in code built at run time that spells location, the
// receivers of computed members that pass 34 left alone (this.a[l],
// t?.[l], [t][0][l], a parenthesis after an if's head); a prototype set
// to the real top through the __proto__ setter, and a Proxy made over it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM, NAV_LOG } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');
const V = '(globalThis.__crmframe_vtop||(x=>x))(';

test('code built at run time wraps this.a[l], t?.[l], [t][0][l] and (0, t)[l] after an if', () => {
  const { w } = framedPage(LOADING_DOM, shim);
  const fix = (c) => w.__crmframe_code(c);
  const L = "var l = 'loc' + 'ation'; ";
  assert.equal(fix(L + 'function n(u) { this.a[l] = u; this.a.b[l] = u }'), L + 'function n(u) { ' + V + 'this.a)[l] = u; ' + V + 'this.a.b)[l] = u }');
  assert.equal(fix(L + 't?.[l].replace(u); g()?.[l]'), L + V + 't)?.[l].replace(u); ' + V + 'g())?.[l]');
  assert.equal(fix(L + 'y = [t][0][l] = u'), L + 'y = ' + V + '[t][0])[l] = u');
  assert.equal(fix(L + 'if (t !== self) (0, t)[l] = u'), L + 'if (t !== self) ' + V + '(0, t))[l] = u');
  // left alone: literal keys, a member after a ?. (the chain would lose its
  // short-circuit), an array literal with no computed member after it,
  // this.top (its own rules), code that does not spell location
  for (const c of [L + 'x = [a, b][0]; if (c) [a, b].forEach(f); y = t?.a[l]; w = a b',
    'this.a[l] = u; t?.[l]; [t][0][l] = u; if (c) (0, t)[l] = u']) {
    assert.equal(fix(c), c, c);
  }
});

test('the wrapped receivers navigate the virtual top for the real one and keep other values', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(`
    ${NAV_LOG}
    var rows = [{ location: 'Rome' }, { location: 'Oslo' }];
    var r = Function('t', 'rows', "var l = 'loc' + 'ation'; var o = { a: t, go: function (u) { this.a[l] = u; } }; o.go('a');" +
      "t?.[l].replace('b'); [t][0][l] = 'c'; if (t !== rows) (0, t)[l].href = 'd'; var n = null;" +
      "var box = { rows: rows, at: function (i) { return this.rows[i][l]; } };" +
      "return [box.at(1), [rows[0]][0][l], n?.[l], rows?.[1][l]].join()")(real, rows);
    nav.concat(r).join('|')`);
  assert.equal(out, 'own a|own b|own c|own d|Oslo,Rome,,Oslo');
});

// x1062: super.location in o's methods after o.__proto__ = realTop
test('o.__proto__ = realTop sets the virtual top; other prototypes and the getter are kept', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(`
    var real = window.top, base = { location: 'Rome' };
    var o = {}, p = {}, q = {};
    o.__proto__ = real; p.__proto__ = base; q.__proto__ = null;
    var d = Object.getOwnPropertyDescriptor(Object.prototype, '__proto__');
    [Object.getPrototypeOf(o) === window, p.location, Object.getPrototypeOf(q), p.__proto__ === base, d.set.name, typeof d.get].join()`);
  assert.equal(out, 'true,Rome,,true,set __proto__,function');
});

// x1065: new Proxy(realTop, {}) is made over the virtual top
test('a Proxy over the real top is made over the virtual top; other proxies work as before', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(`
    var real = window.top, seen = [];
    var h = { get: function (t, k) { seen.push(t === window ? 'own' : t === real ? 'desk' : 'other'); return Reflect.get(t, k); } };
    var p = new Proxy(real, h), r = Proxy.revocable(real, h), q = new Proxy({ a: 1 }, {}), f = new Proxy(function () { return 2; }, {});
    p.document; r.proxy.document;
    var thrown = false; try { Proxy({}, {}); } catch (e) { thrown = e instanceof TypeError; }
    class P extends Object {}
    seen.concat([q.a, f(), thrown, typeof Proxy, Proxy.name, Proxy.prototype, new P() instanceof P]).join()`);
  assert.equal(out, 'own,own,1,2,true,function,Proxy,,true');
});

// x1064: o = new X() with X.prototype = realTop (set by plain assignment,
// which no hook sees): o.location's wrapped receiver is the virtual top;
// objects that do not inherit from the real top, proxies and revoked
// proxies are kept.
test('an object inheriting from the real top is the virtual top to the receiver wrap', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(`
    var real = window.top, v = window.__crmframe_vtop;
    function X() {} X.prototype = real;
    function Y() {} Y.prototype = Object.create(X.prototype === real ? new X() : null);
    var row = { location: 'Rome' }, r = Proxy.revocable({}, {}); r.revoke();
    [v(new X()) === window, v(new Y()) === window, v(row) === row, v(r.proxy) === r.proxy, v(null), v(3), v(real) === window].join()`);
  assert.equal(out, 'true,true,true,true,,3,true');
});

// x1068 (and the server's x1067): a chain continued by .names after a
// call, a parenthesis, a computed member or a new expression's arguments
test('code built at run time wraps f(x).b[l], new X(t).a[l]; new X[k](t) constructs X[k]', () => {
  const { w, run } = framedPage(LOADING_DOM, shim);
  const fix = (c) => w.__crmframe_code(c);
  const L = "var l = 'loc' + 'ation'; ";
  assert.equal(fix(L + 'f(x).b[l] = u; new X(t).a[l] = u'), L + V + 'f(x).b)[l] = u; ' + V + 'new X(t).a)[l] = u');
  for (const c of [L + 'new X[k](t); y = new A.B(1); new X.y', L.slice(0, 4) + 'new X(t).a[l] = u']) assert.equal(fix(c), c, c);
  const out = run(`
    var nav = [], real = window.top;
    [real, window].forEach(function (o) {
      Object.defineProperty(o, 'location', { get: function () { return 'L'; }, set: function (v) { nav.push((this === real ? 'desk ' : 'own ') + v); }, configurable: true });
    });
    var r = Function('t', "var l = 'loc' + 'ation'; function B(w) { this.w = w; } function box(w) { return { w: w }; }" +
      "new B(t).w[l] = 'a'; box(t).w[l] = 'b'; var C = { k: B }; return [new C['k'](5).w, box({ location: 'Rome' }).w[l]].join()")(real);
    nav.concat(r).join('|')`);
  assert.equal(out, 'own a|own b|5,Rome');
});
