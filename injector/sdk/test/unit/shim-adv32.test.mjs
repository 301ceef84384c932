// Pass 32 (adv32): a child frame's own top (the real one, read through an
// alias) navigated without a `.location` the rewriters see: Reflect.get/set,
// the descriptor getter and setter of location (the real top's own, or this
// window's called on it), __lookupSetter__ and Object.assign(top, {location})
// reach the virtual top's location instead (x998-x1024).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// Each snippet runs in a fresh page whose desk (the real top) and own
// window have a location accessor logging where a navigation went.
const SETUP = `
  var nav = [];
  var real = window.top;
  // like a window's, the accessors act on their receiver (the fake realm's
  // global hands getters another object than window: anything but the
  // desk is this window)
  var who = function (o) { return o === real ? 'desk' : 'own'; };
  var locOf = function (o) {
    return { set href(v) { nav.push(who(o) + ' ' + v); }, replace: function (v) { nav.push(who(o) + ' ' + v); } };
  };
  var accessors = function (o) {
    Object.defineProperty(o, 'location', { get: function () { return locOf(this); }, set: function (v) { nav.push(who(this) + ' ' + v); }, configurable: true, enumerable: true });
  };
  accessors(real, 'desk');
  accessors(window, 'own');
`;

const CASES = {
  x998: "Reflect.get(real, 'location').href = 'u'",
  x998b: "Reflect.get(real, new String('location'), real).replace('u')",
  x999: "Reflect.set(real, 'location', 'u')",
  x999b: "Reflect.set(real, 'location', 'u', real)",
  x1020: "Object.getOwnPropertyDescriptor(real, 'location').set.call(real, 'u')",
  x1021: "Object.getOwnPropertyDescriptor(window, 'location').set.call(real, 'u')",
  x1021b: "Reflect.getOwnPropertyDescriptor(window, 'location').set.call(real, 'u')",
  x1021c: "Object.prototype.__lookupSetter__.call(window, 'location').call(real, 'u')",
  x1021d: "Object.getOwnPropertyDescriptors(window).location.set.call(real, 'u')",
  x1022: "Object.getOwnPropertyDescriptor(real, 'location').get.call(real).href = 'u'",
  x1022b: "Object.prototype.__lookupGetter__.call(real, 'location').call(real).href = 'u'",
  x1024: "Object.assign(real, { location: 'u' })",
};

for (const [id, code] of Object.entries(CASES)) {
  test(`${id}: ${code} navigates the virtual top, not the real one`, () => {
    const { run } = framedPage(LOADING_DOM, shim);
    const out = run(SETUP + code + '; nav');
    assert.deepEqual(Array.from(out), ['own u']);
  });
}

test('legitimate look-alikes: own location, ordinary objects, descriptors compare equal', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(SETUP + `
    var store = { location: { city: 'Turin' } }, r = [];
    r.push(Reflect.get(store, 'location').city);
    Reflect.set(store, 'location', 'Milan'); r.push(store.location);
    Object.assign(store, { location: 'Rome' }); r.push(store.location);
    Reflect.get(window, 'location').href = 'a';
    Object.getOwnPropertyDescriptor(window, 'location').set.call(window, 'b');
    r.push(Object.getOwnPropertyDescriptor(window, 'location').set === Object.getOwnPropertyDescriptor(window, 'location').set);
    r.push(Object.getOwnPropertyDescriptor(window, 'location').get.name);
    // the real top's other keys through Reflect.set are left alone
    Reflect.set(real, 'name', 'n'); r.push(real.name);
    r.concat(nav).join('|')`);
  assert.equal(out, 'Turin|Milan|Rome|true|get|n|own a|own b');
});

test('code built at run time wraps the receiver of ?.location, [\'location\'] and a call\'s or parenthesis\'s .location (x992-x997)', () => {
  const { w } = framedPage(LOADING_DOM, shim);
  const fix = (c) => w.__crmframe_code(c);
  const V = '(globalThis.__crmframe_vtop||(x=>x))(';
  assert.equal(fix('t?.location.replace(u)'), V + 't)?.location.replace(u)');
  assert.equal(fix("t['location'].href = u; a.b[\"location\"] = u"), V + "t)['location'].href = u; " + V + 'a.b)["location"] = u');
  assert.equal(fix('pick(f, k).location.href = u'), V + 'pick(f, k)).location.href = u');
  assert.equal(fix("a.pick(f, ')')?.location.replace(u)"), V + "a.pick(f, ')'))?.location.replace(u)");
  assert.equal(fix('(0, f[k]).location.href = u'), V + '(0, f[k])).location.href = u');
  assert.equal(fix('return (c ? a : b).location'), 'return ' + V + '(c ? a : b)).location');
  // nested: the inner receiver too, as the server-side rewriter does (audit, x1048)
  assert.equal(fix('g(pick(a).location).location'), V + 'g(' + V + 'pick(a)).location)).location');
  // left alone: window names, new, a call on another call's result, an
  // optional chain before, a string, a rewritten receiver
  // new pick(f).location: pass 34 wraps the whole new expression (shim-adv34)
  for (const c of ["window['location']; document['location'].href; y = new (g()).location",
    'f().a(b).location; a?.(b).location; x = ["location"]; var s = "t.location"', // a?.b.location: pass 33 (shim-adv33)
    V + 'pick(f, k)).location']) {
    assert.equal(fix(c), c, c);
  }
});

test('the wrapped results navigate the virtual top for the real one (x993 at run time)', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(SETUP + `
    var f = { t: real, o: { location: { set href(v) { nav.push('obj ' + v); } } } };
    Function('f', '(0, f["t"]).location.href = "u"; (0, f.o).location.href = "m"; var t = f.t; t["location"] = "v"')(f);
    nav`);
  assert.deepEqual(Array.from(out), ['own u', 'obj m', 'own v']);
});

test('Object.assign on the real top without a location key still reaches the real top', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(SETUP + `Object.assign(real, { note: 'n' }); [real.note, window.note].join('|')`);
  assert.equal(out, 'n|');
});
