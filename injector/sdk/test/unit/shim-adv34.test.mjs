// Pass 34 (adv34): t[l] with l === 'location' on a receiver that is no
// plain path (x1035-x1039): f[k][l], g()[l], (0, t)[l], this[l],
// arguments[0][l]. In code built at run time that spells location, the
// member chain from each path or parenthesis is walked and each computed
// member's receiver goes through __crmframe_vtop, as the server-side
// rewriter does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM, FORM_DOM, NAV_LOG } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');
const V = '(globalThis.__crmframe_vtop||(x=>x))(';

test('code built at run time wraps receivers that are no plain path', () => {
  const { w } = framedPage(LOADING_DOM, shim);
  const fix = (c) => w.__crmframe_code(c);
  const L = "var l = 'loc' + 'ation'; ";
  assert.equal(fix(L + 'f[k][l].href = u'), L + V + V + 'f)[k])[l].href = u');
  assert.equal(fix(L + 'g()[l] = u; a.b(c).d[l]'), L + V + 'g())[l] = u; ' + V + 'a.b(c).d)[l]');
  assert.equal(fix(L + '(0, t)[l].replace(u); return (t)[l]'), L + V + '(0, t))[l].replace(u); return ' + V + '(t))[l]');
  assert.equal(fix(L + 'function nav(k, u) { this[k] = u }'), L + 'function nav(k, u) { ' + V + 'this)[k] = u }');
  assert.equal(fix(L + 'arguments[0][l].href = u'), L + V + 'arguments[0])[l].href = u');
  assert.equal(fix(L + 'x = y\ng(x)[l] = u'), L + 'x = y\nObject(globalThis.__crmframe_vtop||Object)(g(x))[l] = u');
  // left alone: statement heads, literal keys, new, function declarations,
  // calls after a blank-separated name, code that does not spell location
  for (const c of [L + 'if (c) [a, b].forEach(f); while (x) [1][0]; f(x)[0]; g()["a"]; function f(a) { return [a] }',
    'g()[l] = u; f[k][l] = u; this[k] = u; (0, t)[l] = u']) {
    assert.equal(fix(c), c, c);
  }
});

test('the wrapped chains navigate the virtual top for the real one, and keep ordinary values and this', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(`
    ${NAV_LOG}
    var f = { up: real }, rows = [{ location: 'Rome' }, { location: 'Oslo' }];
    var r = Function('f', 'rows', "var l = 'loc' + 'ation', k = 'up';" +
      "function g() { return f[k]; } function set(key, v) { this[key] = v; } function first() { arguments[0][l].href = 'e'; }" +
      "f[k][l].href = 'a'; g()[l] = 'b'; (0, f[k])[l].replace('c'); set.call(f[k], l, 'd'); first(f[k]);" +
      "var api = { n: 2, get: function (x) { return this.n * x; } }, m = 'get'; function me() { return this[l]; }" +
      "return [rows[1][l], (0, rows[0])[l], me.call(rows[0]), api[m](3), [[1, 2], [3, 4]][1][0]].join()")(f, rows);
    nav.concat(r).join('|')`);
  assert.equal(out, 'own a|own b|own c|own d|own e|Oslo,Rome,Rome,6,3');
});

// x1042: a handler in written or inserted HTML that spells location but
// holds no other trigger word (MAY) now reaches fixCode through the HTML
// swap; HTML without handlers or scripts is not looked at.
test('HTML whose handler spells location and nothing else has the handler swapped', () => {
  const DOM = FORM_DOM + `
    var document = new Document();
    document.readyState = 'loading';
    document.currentScript = null;
  `;
  const { run } = framedPage(DOM, shim);
  const written = (html) => run(`document.written = []; document.write(${JSON.stringify(html)}); document.written[0]`);
  const h = `<img src="data:," onerror="T['lo' + 'cation'].href = 'x'">`;
  assert.equal(written(h), `<img src="data:," onerror="${V.replace(/'/g, "'")}T)['lo' + 'cation'].href = 'x'">`);
  assert.equal(written(`<img onerror="T[&quot;lo&quot; + &quot;cation&quot;] = u">`).includes('__crmframe_vtop'), true);
  assert.equal(written(`<script>var l = 'loc' + 'ation'; g()[l] = u<\/script>`), `<script>var l = 'loc' + 'ation'; ${V}g())[l] = u<\/script>`);
  // left alone: no handler or script, a handler that does not spell it
  for (const c of ['<p class="location">Relocation notes</p>', '<button onclick="save(this.form)">Save location</button>']) assert.equal(written(c), c);
});

// x1044: new X(t).location with X returning t: the whole new expression
// goes through __crmframe_vtop (its value may be any object).
test('code built at run time wraps new X(…) before .location, and constructs as before', () => {
  const { w, run } = framedPage(LOADING_DOM, shim);
  const fix = (c) => w.__crmframe_code(c);
  assert.equal(fix('new X(t).location.href = u'), V + 'new X(t)).location.href = u');
  assert.equal(fix('x = new a.B(t, 1).location'), 'x = ' + V + 'new a.B(t, 1)).location');
  for (const c of ['new X(t).href', 'new (g()).location', 'new X.location.Y()']) assert.equal(fix(c), c, c);
  const out = run(`
    var nav = [], real = window.top;
    Object.defineProperty(real, 'location', { get: function () { return { set href(v) { nav.push('desk ' + v); } }; }, configurable: true });
    Object.defineProperty(window, 'location', { get: function () { return { set href(v) { nav.push('own ' + v); } }; }, configurable: true });
    var r = Function('t', "function X(w) { return w; } function P(n) { this.location = n; } new X(t).location.href = 'a'; return new P('Rome').location")(real);
    nav.concat(r).join('|')`);
  assert.equal(out, 'own a|Rome');
});

// x1045: super.location in a method of an object whose prototype was set
// to the real top; a bare super cannot be wrapped, so the prototype set
// through Object.setPrototypeOf, Reflect.setPrototypeOf or Object.create
// is the virtual top instead.
test('a prototype set to the real top is the virtual top; other prototypes are kept', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(`
    var real = window.top, base = { location: 'Rome' };
    var o = { go: function () { return Object.getPrototypeOf(this) === window; } };
    var p = {}, q = Object.create(real), s = Object.create(base, { n: { value: 1 } });
    Object.setPrototypeOf(o, real); Reflect.setPrototypeOf(p, real);
    var k = {}; Object.setPrototypeOf(k, base);
    [o.go(), Object.getPrototypeOf(p) === window, Object.getPrototypeOf(q) === window, s.location + s.n, k.location,
      Object.setPrototypeOf.name, Object.create.length, Reflect.setPrototypeOf(Object.freeze({}), base)].join()`);
  assert.equal(out, 'true,true,true,Rome1,Rome,setPrototypeOf,2,false');
});
