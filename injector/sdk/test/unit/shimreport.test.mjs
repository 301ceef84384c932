// The SDK reports the shim's counters (window.__crmframe.stats) to the
// engine: op "report" with the increase since the last report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { Client } from '../../src/client.js';
import { ShimReporter } from '../../src/shimreport.js';
import { Clock, fakeWebSocketClass, MemStorage, welcome } from './fakes.mjs';

function page(opts = {}) {
  const clock = opts.clock || new Clock();
  const WS = fakeWebSocketClass();
  const storage = opts.storage || new MemStorage();
  const stats = opts.stats === undefined ? {} : opts.stats;
  const c = new Client({ WebSocket: WS, url: 'ws://crm/__crmframe/ws', client: { kind: 'widget', id: 'crm' },
    storage, storageKey: 'crmframe.sdk:/__crmframe', setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, now: clock.now, random: () => 0.5 });
  const r = new ShimReporter(c, opts.statsFn || (() => stats));
  const online = () => {
    c.connect();
    const ws = WS.latest();
    ws.open();
    ws.recv(welcome({ limits: { ping_interval_ms: 1e9 } })); // no ping timeouts here
    return ws;
  };
  return { c, r, clock, WS, storage, stats, online };
}
const reports = (ws) => ws.sent.filter((m) => m.op === 'report').map((m) => m.shim);

test('sends the increase since the last report: at welcome, then every 30 s when something changed', () => {
  const p = page();
  p.stats.top = 2;
  const ws = p.online();
  assert.deepEqual(ws.sent[0].op, 'hello'); // never before the welcome
  assert.deepEqual(reports(ws), [{ top: 2 }]);
  p.stats.top = 5;
  p.stats.blank = 1;
  p.stats['open-held'] = 1;
  p.clock.advance(29999);
  assert.equal(reports(ws).length, 1);
  p.clock.advance(1);
  assert.deepEqual(reports(ws), [{ top: 2 }, { top: 3, blank: 1, 'open-held': 1 }]);
  p.clock.advance(60000); // nothing changed: nothing sent
  assert.equal(reports(ws).length, 2);
  p.stats.top = 6;
  p.clock.advance(30000);
  assert.deepEqual(reports(ws).at(-1), { top: 1 });
});

test('no report while not connected; what changed meanwhile goes with the next welcome', () => {
  const p = page();
  const ws = p.online();
  assert.equal(reports(ws).length, 0); // nothing counted: nothing sent
  ws.drop(1006);
  p.stats.top = 4;
  p.r.send(); // hidden while disconnected
  p.clock.advance(120000);
  assert.equal(ws.sent.filter((m) => m.op === 'report').length, 0);
  const ws2 = p.WS.latest();
  assert.notEqual(ws2, ws);
  p.stats.code = 1;
  ws2.open();
  assert.deepEqual(reports(ws2), []); // hello only
  ws2.recv(welcome({ snapshot: false }));
  assert.deepEqual(reports(ws2), [{ top: 4, code: 1 }]);
  // a page's disconnect() stops the timer
  p.c.disconnect();
  p.stats.top = 9;
  p.clock.advance(120000);
  assert.equal(reports(ws2).length, 1);
  assert.equal(p.clock.timers.length, 0);
});

test('at most one report per 12 s per connection (the engine counts one per 10 s)', () => {
  const p = page();
  p.stats.top = 1;
  const ws = p.online();
  p.stats.top = 2;
  p.clock.advance(5000);
  p.r.send(); // visibilitychange: hidden, 5 s after the welcome's report
  assert.deepEqual(reports(ws), [{ top: 1 }]);
  p.clock.advance(7000);
  p.r.send();
  assert.deepEqual(reports(ws), [{ top: 1 }, { top: 1 }]);
});

test('pagehide: unsent counts are saved and sent by the next page, once', () => {
  const storage = new MemStorage();
  const clock = new Clock();
  const a = page({ storage, clock });
  a.stats.top = 1;
  const wsA = a.online();
  a.stats.top = 3;
  a.stats.target = 2;
  a.r.leave(); // pagehide 0 s after the welcome's report: too soon to send
  assert.deepEqual(reports(wsA), [{ top: 1 }]);
  assert.deepEqual(JSON.parse(storage.getItem('crmframe.sdk:/__crmframe:shim')), { top: 2, target: 2 });
  // the next page of the tab takes them at start (a second frame would not)
  const b = page({ storage, clock });
  assert.equal(storage.getItem('crmframe.sdk:/__crmframe:shim'), null);
  const c2 = page({ storage, clock });
  b.stats.top = 1;
  const wsB = b.online();
  assert.deepEqual(reports(wsB), [{ top: 3, target: 2 }]);
  assert.deepEqual(reports(c2.online()), []);
  // a page that can send at pagehide does, and saves nothing
  b.stats.blank = 1;
  clock.advance(12000);
  b.r.leave();
  assert.deepEqual(reports(wsB).at(-1), { blank: 1 });
  assert.equal(storage.getItem('crmframe.sdk:/__crmframe:shim'), null);
});

test('pagehide of two frames adds up; a page back from the back-forward cache takes them back', () => {
  const storage = new MemStorage();
  const clock = new Clock();
  const a = page({ storage, clock });
  const b = page({ storage, clock });
  a.stats.top = 2;
  b.stats.top = 3;
  b.stats.adopt = 1;
  a.r.leave(); // not connected: nothing sent
  b.r.leave();
  assert.deepEqual(JSON.parse(storage.getItem('crmframe.sdk:/__crmframe:shim')), { top: 5, adopt: 1 });
  a.r.back(); // pageshow persisted, no other page took them
  const ws = a.online();
  assert.deepEqual(reports(ws), [{ top: 5, adopt: 1 }]);
  a.stats.top = 3; // counted from where a stopped, not again from 0
  clock.advance(30000);
  assert.deepEqual(reports(ws).at(-1), { top: 1 });
});

test('bounded: capped per report, at most 32 kinds, odd stats ignored', () => {
  const p = page();
  p.stats.top = 25000;
  const ws = p.online();
  p.clock.advance(30000);
  p.clock.advance(30000);
  p.clock.advance(30000);
  assert.deepEqual(reports(ws), [{ top: 10000 }, { top: 10000 }, { top: 5000 }]);
  const q = page();
  for (let i = 0; i < 100; i++) q.stats['k' + i] = 1;
  Object.assign(q.stats, { neg: -1, str: '3', frac: 1.5, nan: NaN, big: 1e300, __proto__x: 1, 'a b': 1 });
  Object.defineProperty(q.stats, 'boom', { get() { throw new Error('no'); }, enumerable: true });
  const ws2 = q.online();
  const sent = reports(ws2)[0];
  assert.equal(Object.keys(sent).length, 32);
  assert.ok(Object.keys(sent).every((k) => /^k\d+$/.test(k)));
  for (const s of [undefined, null, 5, () => { throw new Error('x'); }]) {
    const z = page(typeof s === 'function' ? { statsFn: s } : { stats: s });
    assert.deepEqual(reports(z.online()), []);
  }
  // a saved value that is not a count is not taken
  const st = new MemStorage();
  st.setItem('crmframe.sdk:/__crmframe:shim', '{"top":"x","blank":-2,"open":2}');
  assert.deepEqual(reports(page({ storage: st }).online()), [{ open: 2 }]);
  st.setItem('crmframe.sdk:/__crmframe:shim', 'not json');
  assert.deepEqual(reports(page({ storage: st }).online()), []);
});

test('bundle: the installed SDK reports window.__crmframe.stats and saves at pagehide', () => {
  const bundle = fs.readFileSync(fileURLToPath(new URL('../../sdk.js', import.meta.url)), 'utf8');
  const WS = fakeWebSocketClass();
  const storage = new MemStorage();
  const on = {};
  const stats = { top: 2 };
  const w = {
    location: { href: 'http://crm.test/a', protocol: 'http:', host: 'crm.test' }, WebSocket: WS, sessionStorage: storage, URL, setTimeout, clearTimeout, console,
    document: { currentScript: { src: 'http://crm.test/__crmframe/sdk.js', getAttribute: () => null }, cookie: '', readyState: 'complete', addEventListener() {} },
    addEventListener(n, f) { on[n] = f; },
    __crmframe: { marker: 'crmframe', stats },
  };
  w.window = w;
  vm.createContext(w);
  vm.runInContext(bundle, w);
  try {
    const ws = WS.latest();
    ws.open();
    ws.recv(welcome());
    assert.deepEqual(reports(ws), [{ top: 2 }]);
    stats.top = 5;
    on.pagehide({});
    assert.deepEqual(JSON.parse(storage.getItem('crmframe.sdk:/__crmframe:shim')), { top: 3 });
  } finally {
    w.AGENTDESKTOP.disconnect();
  }
});
