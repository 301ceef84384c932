// Pass 31 (adv31): a child frame's own top read through an alias
// (var f = frames[0]; f[k]), Reflect.get, a descriptor getter or a computed
// destructuring key is the real one; whatever the path, the navigation goes
// through X.location, whose receiver code built at run time now hands to
// __crmframe_vtop, as the server-side rewriter does (x986).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

function page() {
  return framedPage(LOADING_DOM, shim);
}

test('code built at run time hands a location receiver to __crmframe_vtop (x986)', () => {
  const { w } = page();
  const fix = (c) => w.__crmframe_code(c);
  const V = '(globalThis.__crmframe_vtop||(x=>x))(';
  assert.equal(fix('var t = f[k]; t.location.href = u'), 'var t = f[k]; ' + V + 't).location.href = u');
  assert.equal(fix('a.b.location.replace(u); x = {o: t.location}'), V + 'a.b).location.replace(u); x = {o: ' + V + 't).location}');
  // window names, document, this, X.top (own rules), new, a string, a line
  // unchanged
  for (const c of ['window.location.href = u; self.location = u; document.location.hash = h; this.location = u',
    'location.reload(); parent.location = u; p.locationbar', 'x = new t.location.Foo()', 'var s = "t.location = u"',
    'class A extends B { m() { return super.location } }',
    ]) {
    assert.equal(fix(c), c, c);
  }
  assert.equal(fix('a = b;\nt.location = u'), 'a = b;\n' + V + 't).location = u');
  // f[k].location: the key goes through __crmframe_key; other element reads stay
  const K = '(globalThis.__crmframe_key||(x=>x))(';
  assert.equal(fix('if (f[k] !== w) f[k].location.href = u; a[i] + r[k]'), 'if (f[k] !== w) f[' + K + 'k)].location.href = u; a[i] + r[k]');
  assert.equal(fix("o['x'].location; a[0].location"), "o['x'].location; a[0].location");
  // where a '(' would join the line above, a wrapper that starts with a name
  const N = 'Object(globalThis.__crmframe_vtop||Object)(';
  assert.equal(fix('a = b\nt.location = u'), 'a = b\n' + N + 't).location = u');
  assert.equal(fix('if (f) g()\n  n.location.assign(u)'), 'if (f) g()\n  ' + N + 'n).location.assign(u)');
});

test('the wrapped receiver navigates the virtual top when it is the real one, itself otherwise', () => {
  const { w, run } = page();
  const out = run(`
    var nav = [], deskLoc = { set href(v) { nav.push('desk ' + v); } }, own = { set href(v) { nav.push('own ' + v); } };
    // the real top as a child frame's own top hands it (the fake's desk)
    var real = window.top, geo = { location: own };
    real.location = deskLoc;
    var f = Function('t', 'g', 't.location.href = "x986.html?step=3"; g.location.href = "map"');
    f(real, geo);
    nav`);
  // unframed the CRM would have navigated its own top: the virtual one here
  assert.ok(!out.includes('desk x986.html?step=3'), JSON.stringify(out));
  assert.ok(out.includes('own map'), JSON.stringify(out));
});
