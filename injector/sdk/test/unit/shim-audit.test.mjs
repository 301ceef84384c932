// Audit of the run-time rewriter (audit, x1047-x1050): fixCode's key,
// receiver and import passes collect spans in the code and wrap them
// afterwards. They kept the outermost of nested spans only, since an inner
// wrap moves the end of the span around it: a window key inside another
// (self[(t = self[k], 0)]) or a receiver read inside another
// (box((0, f[k]).location).location) went unwrapped, and nested import()
// calls were cut apart. The receiver wrap also started with '(' on a line
// of its own (a call of the line above in semicolon-free code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');
const K = '(globalThis.__crmframe_key||(x=>x))(';
const V = '(globalThis.__crmframe_vtop||(x=>x))(';
const U = '(globalThis.__crmframe_url||(x=>x))(';

test('a window key inside another window key is wrapped too (x1047)', () => {
  const { w, run } = framedPage(LOADING_DOM, shim);
  assert.equal(w.__crmframe_code("self[(t = self[k], 'document')]"), 'self[' + K + '(t = self[' + K + "k)], 'document'))]");
  assert.equal(w.__crmframe_code('f[window[n]].location'), 'f[' + K + 'window[' + K + 'n)])].location');
  assert.equal(w.__crmframe_code('frames[i][frames[j][k]]'), 'frames[' + K + 'i)][' + K + 'frames[' + K + 'j)][' + K + 'k)])]');
  // the inner key reads the virtual top (this root window), not the real one
  const code = "var t; window[(t = window[k], 'document')]; return t === window";
  assert.equal(run(`new Function('k', __crmframe_code(${JSON.stringify(code)}))('top')`), true);
});

test('a receiver read inside another wrapped receiver is wrapped too (x1048)', () => {
  const { w, run } = framedPage(LOADING_DOM, shim);
  assert.equal(w.__crmframe_code('box((0, f[k]).location).location.href = u'), V + 'box(' + V + '(0, f[k])).location)).location.href = u');
  assert.equal(w.__crmframe_code("g(t['location'], pick(a).location).location"), V + 'g(' + V + "t)['location'], " + V + 'pick(a)).location)).location');
  // f: an object holding the real top (a child window's view of it)
  const code = "var box = function (l) { return { location: l }; };\nreturn box((0, f[k]).location).location === location";
  assert.equal(run(`new Function('f', 'k', __crmframe_code(${JSON.stringify(code)}))({ top: window.parent }, 'top')`), true);
});

test('nested import() calls keep their code whole (x1049)', () => {
  const { w } = framedPage(LOADING_DOM, shim);
  const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
  for (const [c, want] of [
    ['import(await import(a).then(m => m.u))', 'import(' + U + 'await import(' + U + 'a)).then(m => m.u)))'],
    ['return import((await import(u)).next)', 'return import(' + U + '(await import(' + U + 'u))).next))'],
    ['import(`${await import(a)}`, o)', 'import(' + U + '`${await import(' + U + 'a))}`), o)'],
  ]) {
    const out = w.__crmframe_code(c);
    assert.equal(out, want);
    assert.doesNotThrow(() => new AsyncFunction(out), out);
  }
});

test('a receiver wrap first on its line does not call the line above (x1050)', () => {
  const { w, run } = framedPage(LOADING_DOM, shim);
  const O = 'Object(globalThis.__crmframe_vtop||Object)(';
  assert.equal(w.__crmframe_code("const card = cards[i]\ncard['location'].city = c"), 'const card = ' + V + 'cards)[i]\n' + O + "card)['location'].city = c");
  assert.equal(w.__crmframe_code('var u = next()\npick(f, k).location.href = u'), 'var u = next()\n' + O + 'pick(f, k)).location.href = u');
  const code = "const pick = (list, n) => list[n]\nconst card = cards[i]\ncard['location'].city = card['location'].city.toUpperCase()\n" +
    "const zip = card.zip\npick(cards, i).location.zip = zip\nreturn card.location.city + ' ' + card.location.zip";
  assert.equal(run(`new Function('cards', 'i', __crmframe_code(${JSON.stringify(code)}))([{ zip: '10100', location: { city: 'Turin' } }], 0)`), 'TURIN 10100');
});

test('an escaped key of a window pattern is read after unescaping (x1051)', () => {
  const { w, run } = framedPage(LOADING_DOM, shim);
  assert.equal(w.__crmframe_code('const {\\u0074op: t} = window; t[k] = u'), 'const {__crmframe_top: t} = window; t[k] = u');
  assert.equal(w.__crmframe_code('for (const {t\\u{6f}p: t} of [self]) t[k] = u'), 'for (const {__crmframe_top: t} of [self]) t[k] = u');
  assert.equal(run(`new Function(__crmframe_code(${JSON.stringify('const {\\u0074op: t} = window; return t === window')}))()`), true);
});

test('a getter whose fallback is a bare top is still a getter after that top is swapped (x1052)', () => {
  const { w, run } = framedPage(LOADING_DOM, shim);
  assert.equal(w.__crmframe_code('function g(w) { return w ? w.top : top }'), 'function g(w) { return w ? w.__crmframe_top : __crmframe_vtop(top) }');
  assert.equal(w.__crmframe_code('function g(w) { return w.top || top; }'), 'function g(w) { return w.__crmframe_top || __crmframe_vtop(top); }');
  // f: a child window's view, whose own top is the real one
  const code = 'function getTop(w) { return w ? w.top : top }\nreturn getTop(f) === window';
  assert.equal(run(`new Function('f', __crmframe_code(${JSON.stringify(code)}))({ top: window.parent })`), true);
});

// A regex pass whose match ends with the character the next match needs
// before it: the loop restarts on that character.
test('nested import() calls right inside each other are all wrapped (x1053)', () => {
  const { w } = framedPage(LOADING_DOM, shim);
  assert.equal(w.__crmframe_code('return import(import(u))'), 'return import(' + U + 'import(' + U + 'u))))');
});

test('a window key right inside another window key is wrapped (x1054)', () => {
  const { w, run } = framedPage(LOADING_DOM, shim);
  assert.equal(w.__crmframe_code('window[self[k]]'), 'window[' + K + 'self[' + K + 'k)])]');
  const code = 'var t; window[(t = window[k]) && 0]; var s; window[window[k] === window && (s = 1)]; return t === window && s === 1';
  assert.equal(run(`new Function('k', __crmframe_code(${JSON.stringify(code)}))('top')`), true);
});

test('a window pattern with top twice gets both keys swapped (x1055)', () => {
  const { w, run } = framedPage(LOADING_DOM, shim);
  assert.equal(w.__crmframe_code('const {top, top: t} = window'), 'const {__crmframe_top: top, __crmframe_top: t} = window');
  assert.equal(run(`new Function(__crmframe_code(${JSON.stringify('const {top, top: t} = window; return t === window')}))()`), true);
});
