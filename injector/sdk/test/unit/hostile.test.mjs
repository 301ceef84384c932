// The built bundle (../sdk.js) in a fake window that a legacy CRM makes
// hostile after the SDK has started: Prototype.js 1.6 toJSON patches,
// Crockford's json.js pollution, replaced JSON / WebSocket / Promise /
// timers / console / URL / Map / Object.assign / bind, call, apply, a page
// AGENTDESKTOP, AMD and CommonJS globals, storage that throws. Every patch
// runs in the window's own realm, after the bundle, as a CRM script would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { Clock, fakeWebSocketClass, MemStorage, welcome, contactEvent } from './fakes.mjs';
import { stringify } from '../../src/safe.js';
import { Store } from '../../src/state.js';

const bundle = fs.readFileSync(fileURLToPath(new URL('../../sdk.js', import.meta.url)), 'utf8');

// browser loads the bundle in a fresh realm; its timers are a manual clock
// (nothing runs on wall-clock time).
function browser({ attrs = {}, storage = new MemStorage(), before = '', crmframe, doc = {} } = {}) {
  const clock = new Clock();
  const WS = fakeWebSocketClass();
  const navigations = [];
  const location = { href: 'http://crm.test/index.html', protocol: 'http:', host: 'crm.test', assign: (u) => navigations.push(u) };
  const script = { src: 'http://crm.test/__crmframe/sdk.js?v=abc', getAttribute: (n) => (n in attrs ? attrs[n] : null) };
  const w = {
    location, WebSocket: WS, URL, console: { error() {}, warn() {}, log() {} },
    setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout,
    document: Object.assign({ currentScript: script, cookie: '' }, doc),
    addEventListener() {},
    __crmframe_sdk: { alertAckTimeout: 50 },
  };
  if (storage !== 'throws') w.sessionStorage = storage;
  else Object.defineProperty(w, 'sessionStorage', { get() { throw new Error('SecurityError: access is denied for this document'); } });
  w.window = w;
  if (crmframe) {
    w.__crmframe = crmframe;
    w.__crmframe_top = { location: { href: location.href, assign: (u) => navigations.push('top:' + u) } };
  }
  vm.createContext(w);
  const run = (js) => vm.runInContext(js, w);
  if (before) run(before);
  const load = () => run(bundle);
  load();
  return { w, WS, clock, navigations, run, load, storage, AD: w.AGENTDESKTOP };
}

function online(b, extra) {
  const ws = b.WS.latest();
  ws.open();
  ws.recv(welcome(extra));
  return ws;
}

// What Prototype.js 1.6.0.3 puts on the built-ins (abridged, same results):
// toJSON methods that return JSON *text*, so that the native JSON.stringify
// encodes arrays, dates and wrapper objects twice; its bind; Array.from = $A.
const PROTOTYPE_16 = `
  function $A(it) { if (!it) return []; if (it.toArray) return it.toArray(); var n = it.length || 0, r = new Array(n); while (n--) r[n] = it[n]; return r; }
  Object.toJSON = function (o) { return o == null ? 'null' : typeof o.toJSON === 'function' ? o.toJSON() : typeof o === 'object' ? '{' + Object.keys(o).map(function (k) { return '"' + k + '": ' + Object.toJSON(o[k]); }).join(', ') + '}' : String(o); };
  Array.prototype.toJSON = function () { return '[' + this.map(function (v) { return Object.toJSON(v); }).join(', ') + ']'; };
  String.prototype.toJSON = function () { return '"' + this + '"'; };
  Number.prototype.toJSON = function () { return isFinite(this) ? this.toString() : 'null'; };
  Date.prototype.toJSON = function () { return '"' + this.getUTCFullYear() + '-' + (this.getUTCMonth() + 1) + '-' + this.getUTCDate() + '"'; };
  Function.prototype.bind = function () { var m = this, a = $A(arguments), o = a.shift(); return function () { return m.apply(o, a.concat($A(arguments))); }; };
  Array.from = $A;
`;

// Crockford's json.js (2007): enumerable methods on Object.prototype and
// Array.prototype, which every for…in then sees.
const JSON_JS = `
  Object.prototype.toJSONString = function () { return 'polluted'; };
  Object.prototype.parseJSON = function () { return 'polluted'; };
  Array.prototype.toJSONString = function () { return 'polluted'; };
  Object.prototype.crmFlag = 'polluted';
`;

test('Prototype 1.6 toJSON patches: arrays, objects and dates in commands and relays round-trip exactly', async () => {
  const b = browser();
  const ws = online(b);
  b.run(PROTOTYPE_16);
  // the patch is really there: native JSON.stringify double-encodes
  assert.equal(b.run('JSON.stringify({ a: [1] })'), '{"a":"[1]"}');
  const args = b.run(`({ contactId: 'k1', data: { list: [1, 'two', { three: [3] }], nested: { deep: [[]] } }, when: new Date(0), s: new String('x'), n: new Number(5) })`);
  const p = b.AD.command('CONTACT.SetCallData', args);
  const m = ws.last('cmd');
  assert.deepEqual(m.args, { contactId: 'k1', data: { list: [1, 'two', { three: [3] }], nested: { deep: [[]] } }, when: '1970-01-01T00:00:00.000Z', s: 'x', n: 5 });
  ws.recv({ op: 'result', id: m.id, ok: true, data: { id: 'k1', changed: ['a', 'b'] } });
  assert.deepEqual([...(await p).changed], ['a', 'b']);
  assert.equal(b.AD.WIDGET.sendDataToWidget('OTHER', b.run(`[1, [2, { x: [3] }]]`)), true);
  assert.deepEqual(ws.last('relay'), { op: 'relay', name: 'WIDGET.Data', to: 'OTHER', data: { widget: 'crm', data: [1, [2, { x: [3] }]] } });
  b.AD.relay('TAB.Open', b.run(`({ tabs: ['a', 'b'] })`));
  assert.deepEqual(ws.last('relay').data, { tabs: ['a', 'b'] });
  // the page's own objects with a toJSON of their own keep it
  b.AD.relay('X', b.run(`({ v: { toJSON: function () { return 'own'; } } })`));
  assert.deepEqual(ws.last('relay').data, { v: 'own' });
});

test('Prototype 1.6 toJSON patches: the state stored for the next page survives and restores', () => {
  const storage = new MemStorage();
  const attrs = { 'data-crmframe-screen-pop': '{"*": "/customers?id={id}"}' };
  const b = browser({ storage, attrs, crmframe: { root: true } });
  const ws = online(b, { epoch: 'E' });
  b.run(PROTOTYPE_16);
  const chat = { media_type: 'chat', state: 'online', parties: [{ id: 'p1' }], call_data: { A: '1' } };
  ws.recv(contactEvent(1, 'ESTABLISHED', chat));
  ws.recv(contactEvent(2, 'CHATMESSAGE', { ...chat, message: { from: 'customer', text: 'hi', time: 3 } }));
  ws.recv(contactEvent(3, 'POPUP', chat));
  assert.equal(b.navigations.length, 1);
  const stored = JSON.parse(storage.getItem('crmframe.sdk:/__crmframe'));
  assert.ok(Array.isArray(stored.contacts), 'contacts stored as an array, not JSON text: ' + typeof stored.contacts);
  assert.deepEqual(stored.popped, ['k1']);
  // the next page: the SDK starts before Prototype is loaded again
  const next = browser({ storage, attrs, crmframe: { root: true } });
  assert.equal(typeof next.AD, 'object', 'the SDK installs on the next page');
  const c = next.AD.getContact('k1');
  // (compared as JSON: the values come from the page's realm)
  assert.equal(JSON.stringify([c.state, c.parties, c.call_data, c.messages.map((x) => x.text)]), '["online",[{"id":"p1"}],{"A":"1"},["hi"]]');
  const ws2 = online(next, { epoch: 'E', seq: 3, snapshot: false });
  ws2.recv(contactEvent(4, 'POPUP', { media_type: 'chat', state: 'online' }));
  assert.deepEqual(next.navigations, [], 'no second screen-pop');
});

test('json.js: enumerable Object.prototype / Array.prototype pollution stays out of contacts and the wire', () => {
  const b = browser();
  const ws = online(b);
  b.run(JSON_JS);
  ws.recv(contactEvent(1, 'RINGING', { call_data: { A: '1' } }));
  const c = b.AD.getContact('k1');
  for (const k of ['toJSONString', 'parseJSON', 'crmFlag']) {
    assert.equal(Object.prototype.hasOwnProperty.call(c, k), false, 'contact has an own ' + k);
  }
  assert.equal(Object.keys(b.AD.getContacts()[0]).includes('toJSONString'), false);
  b.AD.CONTACT.SetCallData('k1', b.run(`({ A: '2' })`));
  assert.deepEqual(ws.last('cmd').args, { contactId: 'k1', data: { A: '2' } });
  b.AD.connect({ client: b.run(`({ kind: 'widget', id: 'crm' })`) });
  assert.equal(b.AD.getStatus().status, 'connected');
});

// Replacements a page makes after the SDK started, each broken so that
// any use by the SDK shows: JSON and timers throw, WebSocket cannot
// connect, Promise is a jQuery-Deferred-style thenable without catch or
// statics, console has no methods, URL is a string (var URL = '…'), Map
// and Set are a page's own classes, Object.assign copies inherited keys,
// bind/call/apply throw.
const REPLACED = `
  JSON = { stringify: function () { throw new Error('page JSON.stringify'); }, parse: function () { throw new Error('page JSON.parse'); } };
  WebSocket = function () { throw new Error('page WebSocket'); };
  Promise = function (fn) { var cbs = [], v; fn(function (x) { v = x; }, function () {}); return { then: function (f) { cbs.push(f); return this; } }; };
  setTimeout = setInterval = clearTimeout = function () { throw new Error('page timers'); };
  console = {};
  URL = '/crm/ajax.php';
  Map = function () { this.page = true; };
  Set = function () { this.page = true; };
  Object.assign = function (t) { for (var i = 1; i < arguments.length; i++) for (var k in arguments[i]) t[k] = 'page'; return t; };
  Function.prototype.bind = Function.prototype.call = Function.prototype.apply = function () { throw new Error('page bind/call/apply'); };
`;

test('replaced JSON, WebSocket, Promise, timers, console, URL, Map, Object.assign, bind/call/apply: the SDK uses what it captured', async () => {
  const attrs = { 'data-crmframe-autoconnect': 'false', 'data-crmframe-screen-pop': '{"*": "/customers?phone={ani}"}' };
  const b = browser({ attrs, crmframe: { root: true } });
  b.run(REPLACED);
  assert.equal(typeof b.w.Promise.prototype, 'object');
  const ready = b.AD.connect();
  assert.equal(typeof ready.catch, 'function', 'connect() returns a real Promise');
  const ws = online(b, { contacts: [{ id: 'k0', uuid: 'u0', state: 'online' }] });
  assert.deepEqual(ws.sent[0], { op: 'hello', v: 1, client: { kind: 'widget', id: 'crm' } });
  assert.equal((await ready).contacts[0].id, 'k0');
  // events, a throwing listener (console has no error method), screen-pop
  const seen = [];
  b.AD.on('*', () => { throw new Error('listener'); });
  b.AD.WIDGET.bindContactCallback((e) => seen.push(e.event + ' ' + e.changed));
  ws.recv(contactEvent(1, 'DATACHANGED', { changed: ['A', 'B'] }));
  ws.recv(contactEvent(2, 'POPUP', { ani: '+39 06' }));
  assert.deepEqual(seen, ['DATACHANGED A,B', 'POPUP undefined']);
  assert.deepEqual(b.navigations, ['top:http://crm.test/customers?phone=%2B39%2006']);
  assert.equal(b.AD.getContact('k1').last_event, 'POPUP');
  assert.equal(b.AD.getContacts().length, 2);
  // commands resolve, reject and time out (the captured timers)
  const ok = b.AD.CONTACT.Hold('k1', true);
  const m = ws.last('cmd');
  assert.deepEqual(m.args, { contactId: 'k1', hold: true });
  ws.recv({ op: 'result', id: m.id, ok: true, data: { held: true } });
  assert.equal((await ok).held, true);
  await assert.rejects(b.AD.AGENT.Pause('lunch'), { code: 'bad_argument' });
  const slow = b.AD.command('AGENT.GetState', {}, { timeout: 1000 });
  b.clock.advance(1000);
  await assert.rejects(slow, { code: 'timeout' });
  // ALERT waits for the shell's ack with the captured timers
  const alert = b.AD.ALERT.Show('t', 'x');
  ws.recv({ op: 'relay', name: 'ALERT.Ack', from: 'desktop:shell', data: { id: ws.last('relay').data.id } });
  assert.equal((await alert).where, 'shell');
  // a reconnect after a drop uses the captured WebSocket
  ws.drop(1006);
  b.clock.advance(1000);
  assert.equal(b.WS.all.length, 2);
  online(b, { seq: 2, snapshot: false, epoch: 'e1' });
  assert.equal(b.AD.getStatus().status, 'connected');
});

test('a page AGENTDESKTOP, AMD define/require and CommonJS module/exports', () => {
  // a desktop shell page with an AMD loader and CommonJS globals loads the bundle
  const b = browser({
    before: `var defined = 0; function define() { defined++; } define.amd = {}; function require() { throw new Error('require'); }
             var module = { exports: {} }, exports = module.exports; var AGENTDESKTOP = { page: true };`,
  });
  assert.equal(b.AD.__crmframe, true, 'the bundle defines the global even with AMD/CommonJS around');
  assert.equal(b.run('defined'), 0);
  assert.deepEqual(Object.keys(b.run('module.exports')), []);
  // the CRM replaces the global, then includes /AD/widget/agentdesktop_widget.js:
  // the SDK already running is the global again, still one connection
  const first = b.AD;
  b.run(`AGENTDESKTOP = { CONTACT: {} };`);
  b.load();
  assert.equal(b.w.AGENTDESKTOP, first);
  assert.equal(b.WS.all.length, 1);
});

test('storage that throws on access: the SDK connects, delivers events and keeps the state in memory', async () => {
  const doc = {};
  Object.defineProperty(doc, 'cookie', { get() { throw new Error('SecurityError: cookies blocked'); } });
  const attrs = { 'data-crmframe-screen-pop': '{"*": "/customers?id={id}"}' };
  const b = browser({ storage: 'throws', doc, attrs, crmframe: { root: true } });
  const ws = online(b);
  const seen = [];
  b.AD.WIDGET.bindContactCallback((e) => seen.push(e.event));
  ws.recv(contactEvent(1, 'RINGING'));
  ws.recv(contactEvent(2, 'POPUP'));
  ws.recv(contactEvent(3, 'POPUP'));
  assert.deepEqual(seen, ['RINGING', 'POPUP', 'POPUP']);
  assert.deepEqual(b.navigations, ['top:http://crm.test/customers?id=k1'], 'screen-pop once');
  assert.equal(b.AD.getContact('k1').last_event, 'POPUP');
  assert.equal(b.AD.WIDGET.getToken(), '');
  assert.equal(await b.AD.WIDGET.getTokenOneShot(), '');
});

test('storage whose every call throws (quota, blocked): the SDK connects and delivers events', () => {
  const bad = { getItem() { throw new Error('SecurityError'); }, setItem() { throw new Error('QuotaExceededError'); }, removeItem() { throw new Error('SecurityError'); } };
  const b = browser({ storage: bad });
  const ws = online(b);
  const seen = [];
  b.AD.on('RINGING', (e) => seen.push(e.id));
  ws.recv(contactEvent(1, 'RINGING'));
  assert.deepEqual(seen, ['k1']);
  b.AD.disconnect(true);
  assert.equal(b.AD.getStatus().status, 'disconnected');
});

// safe.js and state.js directly, in this realm: patches are undone at once.
function patched(protos, fn) {
  const saved = protos.map(([p]) => [p, Object.getOwnPropertyDescriptor(p, 'toJSON')]);
  for (const [p, f] of protos) Object.defineProperty(p, 'toJSON', { value: f, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    for (const [p, d] of saved) {
      if (d) Object.defineProperty(p, 'toJSON', d);
      else delete p.toJSON;
    }
  }
}

test('stringify ignores toJSON patched onto Object/Array/Date/String/Number/Boolean prototypes, honours a page object\'s own', () => {
  class Hash { constructor(o) { this._object = o; } toJSON() { return this._object; } }
  const v = { a: [1, [2]], d: new Date(0), s: new String('x'), n: new Number(2), b: new Boolean(false), h: new Hash({ k: [1] }), u: undefined, f() {} };
  const want = '{"a":[1,[2]],"d":"1970-01-01T00:00:00.000Z","s":"x","n":2,"b":false,"h":{"k":[1]}}';
  assert.equal(stringify(v), want);
  const text = function () { return 'patched'; };
  const got = patched([[Object.prototype, text], [Array.prototype, text], [Date.prototype, text], [String.prototype, text], [Number.prototype, text], [Boolean.prototype, text]], () => [JSON.stringify(v), stringify(v)]);
  assert.equal(got[0], '"patched"', 'the patches are really in effect');
  assert.equal(got[1], want);
});

test('Store: state saved under Array#toJSON loads back; for…in pollution is not copied into contacts', () => {
  const storage = new MemStorage();
  const s = new Store(storage, 'k');
  s.snapshot('E', 0, { id: 'a1' }, []);
  patched([[Array.prototype, function () { return '[' + this.join(', ') + ']'; }]], () => {
    Object.defineProperty(Object.prototype, 'toJSONString', { value() {}, enumerable: true, configurable: true, writable: true });
    try {
      s.apply(1, { event: 'DATACHANGED', id: 'k1', changed: ['A'], parties: [{ id: 'p' }], call_data: { A: '1' } });
    } finally {
      delete Object.prototype.toJSONString;
    }
  });
  assert.equal(Object.keys(s.contacts.get('k1')).includes('toJSONString'), false);
  const next = new Store(storage, 'k');
  assert.equal(next.load(), true);
  assert.deepEqual(next.contacts.get('k1').parties, [{ id: 'p' }]);
  assert.deepEqual(next.resumePoint(), { epoch: 'E', seq: 1 });
});

test('state an older SDK stored under Prototype 1.6 (contacts as JSON text): the SDK starts fresh instead of failing', () => {
  const storage = new MemStorage();
  storage.setItem('crmframe.sdk:/__crmframe', '{"v":1,"epoch":"E","seq":4,"agent":{"id":"a1"},"contacts":"[{\\"id\\": \\"k1\\"}]","popped":"[]"}');
  const b = browser({ storage });
  assert.equal(b.AD.__crmframe, true);
  assert.deepEqual([...b.AD.getContacts()], []);
  const ws = online(b);
  assert.equal(ws.sent[0].resume, undefined, 'no resume from unreadable state');
});
