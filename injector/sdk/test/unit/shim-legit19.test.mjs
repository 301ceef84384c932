// Legit pass 19 (legit19): CRM code built at run time whose `.location`
// reads pass 32's receiver wrap must leave working: a private field's
// receiver (o.#rec.location), a member name after a blank (a ?. b.location,
// x. y['location']), new X.location.Y after a top swap earlier in the same
// code (the check read the unswapped text at swapped offsets), and Vue 2's run-time compiled templates, which run
// `with(this){…}` over a dev-build proxy that claims globalThis (x1031-x1033).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { framedPage, LOADING_DOM } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// Each snippet is rewritten as code built at run time, then compiled and run
// in the page's realm: it must still parse and read what it read before.
const SNIPPETS = {
  'a private field receiver': `class Card { #rec = { location: { city: 'Turin' } }; #w = null;
      city() { return this.#rec.location.city + '/' + Card.of(this).#rec?.location.city + '/' + this.#rec['location'].city; }
      static of(c) { return c; } }
    return new Card().city();`,
  'member names after a blank': `var store = { customer: { location: { city: 'Milan' } }, pick: function () { return this.customer; } };
    var a = store ?. customer.location.city, b = store. customer['location'].city, c = store
      . pick().location.city;
    return [a, b, c].join('/');`,
};
SNIPPETS['new X.location.Y after a swap earlier in the code'] = `var embedded = window.top !== window.self;
    var maps = { location: { Geocoder: function (r) { this.region = r; } } }, geo = new maps.location.Geocoder(7);
    return geo instanceof maps.location.Geocoder && geo.region;`;
const WANT = { 'a private field receiver': 'Turin/Turin/Turin', 'member names after a blank': 'Milan/Milan/Milan', 'new X.location.Y after a swap earlier in the code': 7 };

for (const [name, code] of Object.entries(SNIPPETS)) {
  test(`run-time code keeps parsing and reading its own location: ${name}`, () => {
    const { run } = framedPage(LOADING_DOM, shim);
    const out = run(`new Function(__crmframe_code(${JSON.stringify(code)}))()`);
    assert.equal(out, WANT[name]);
  });
}

// Vue 2's dev build (vue.js, core/instance/proxy.js): a compiled template
// is new Function('with(this){return …}') called on vm._renderProxy, whose
// has trap answers true for any name that is neither the vm's nor an
// allowed global nor a _-name.
const VUE2 = `
  var allowed = 'Infinity,undefined,NaN,isFinite,isNaN,parseFloat,parseInt,decodeURI,decodeURIComponent,encodeURI,encodeURIComponent,Math,Number,Date,Array,Object,Boolean,String,RegExp,Map,Set,JSON,Intl,BigInt,require'.split(',');
  var warned = [];
  var vm = { $data: {}, rows: [{ location: { city: 'Turin' } }], i: 0, field: 'location',
    customer: { location: { city: 'Milan' } }, pick: function (r) { return r; },
    _s: function (v) { return String(v); } };
  var renderProxy = new Proxy(vm, { has: function (t, k) {
    var has = k in t, ok = allowed.indexOf(k) >= 0 || (typeof k === 'string' && k.charAt(0) === '_' && !(k in t.$data));
    if (!has && !ok) warned.push(k);
    return has || !ok;
  } });
  var tpl = "with(this){return [_s(customer.location.city), _s(rows[i].location.city), _s(customer['location'].city), _s(pick(customer).location.city), _s(rows[0][field].city)].join('/')}";
`;

test('a Vue 2 dev-build template with .location renders through its with(this) proxy (x1031)', () => {
  const { run } = framedPage(LOADING_DOM, shim);
  const out = run(VUE2 + `new Function(__crmframe_code(tpl)).call(renderProxy) + ' ' + warned.join(',')`);
  assert.equal(out, 'Milan/Turin/Milan/Milan/Turin ');
});

test('code without a with statement keeps the globalThis wrappers', () => {
  const { w } = framedPage(LOADING_DOM, shim);
  assert.equal(w.__crmframe_code('a.location.href = u'), '(globalThis.__crmframe_vtop||(x=>x))(a).location.href = u');
  // the with-safe form still goes through the virtual top
  assert.equal(w.__crmframe_code('with (o) a.location.href = u'), "with (o) (typeof __crmframe_vtop=='function'&&__crmframe_vtop||(x=>x))(a).location.href = u");
});
