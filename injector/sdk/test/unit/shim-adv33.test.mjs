// Pass 33 (adv33): t[l] with l === 'location' on a child frame's real top
// (x1008-x1010) in code built at run time: in code that spells location, the
// receiver of a computed member whose key is no literal or number goes
// through __crmframe_vtop, as the server-side rewriter does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM, NAV_LOG } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');
const V = '(globalThis.__crmframe_vtop||(x=>x))(';

test('code built at run time that spells location wraps computed members\' receivers', () => {
  const { w } = framedPage(LOADING_DOM, shim);
  const fix = (c) => w.__crmframe_code(c);
  assert.equal(fix("var l = 'loc' + 'ation'; t[l].href = u"), "var l = 'loc' + 'ation'; " + V + 't)[l].href = u');
  assert.equal(fix('var l = ["lo", "cation"].join(""); a.b[l] = u'), 'var l = ["lo", "cation"].join(""); ' + V + 'a.b)[l] = u');
  assert.equal(fix('l = String.fromCharCode(108, 111); o[l].replace(u); a[b[c]]'), 'l = String.fromCharCode(108, 111); ' + V + 'o)[l].replace(u); ' + V + 'a)[' + V + 'b)[c]]');
  assert.equal(fix("x = 'location'\nt[k] = u"), "x = 'location'\nObject(globalThis.__crmframe_vtop||Object)(t)[k] = u");
  assert.equal(fix('l = String.fromCharCode(0x6C, 0x6f); o[l]'), 'l = String.fromCharCode(0x6C, 0x6f); ' + V + 'o)[l]');
  // left alone: literal and numeric keys, window names, keywords, new, a
  // path after a dot, and code that does not spell location (this[k] and
  // f().b[k]: pass 34, shim-adv34.test.mjs)
  for (const c of ["s = 'location'; a[0]; a['x']; a[i - 1]; a[n * 2 | 0]; new a[k](); return [a]; var [x] = y; typeof [k]",
    "s = 'allocation'; t[l].href = u", 's = String.fromCharCode(c + 65536); t[l].href = u', 'for (var i = 0; i < n; i++) s += a[i]']) {
    assert.equal(fix(c), c, c);
  }
});

test('the wrapped receivers navigate the virtual top for the real one, and keep ordinary objects', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(`
    ${NAV_LOG}
    var rec = { location: 'Rome', get: function () { return this.location; } };
    var r = Function('t', 'rec', "var l = 'loc' + 'ation', m = 'get'; t[l].href = 'u'; t[l] = 'v'; rec[l] = 'Oslo'; return rec[m]()")(real, rec);
    nav.concat(r).join('|')`);
  assert.equal(out, 'own u|own v|Oslo');
});

test('code built at run time wraps a receiver with an optional chain inside and reads ?.location (x1013)', () => {
  const { w } = framedPage(LOADING_DOM, shim);
  const fix = (c) => w.__crmframe_code(c);
  assert.equal(fix('o?.t.location.replace(u)'), V + 'o?.t)?.location.replace(u)');
  assert.equal(fix('x = a?.b.c . location.href'), 'x = ' + V + 'a?.b.c) ?. location.href');
  assert.equal(fix('a?.b?.location.assign(u)'), V + 'a?.b)?.location.assign(u)');
  for (const c of ['window?.frames.location', 'a.b.c?.d', 'f(a?.b).c']) assert.equal(fix(c), c, c);
});

test('the wrapped optional receiver navigates the virtual top, and short-circuits as before', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(`
    ${NAV_LOG}
    var r = Function('o', 'n', "o?.t.location.replace('u'); return String(n?.t.location.replace('v'))")({ t: real }, null);
    nav.concat(r).join('|')`);
  assert.equal(out, 'own u|undefined');
});

test('the computed-member wrap keeps member names whole (private fields, a blank after the dot)', () => {
  const { w } = framedPage(LOADING_DOM, shim);
  const fix = (c) => w.__crmframe_code(c);
  // merged with legit19: this.#rec[k] wraps this.#rec or nothing, never #(…)
  for (const c of ["class A { #rec = {}; get(k) { var s = 'location'; return this.#rec[k]; } }",
    "var s = 'location'; a ?. b[k]; x. y[k]"]) {
    const out = fix(c);
    assert.doesNotThrow(() => new Function(out), out);
    assert.ok(!/#\(|\.\s*\(globalThis/.test(out), out);
  }
});
