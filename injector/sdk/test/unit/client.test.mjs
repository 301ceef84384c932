import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../src/client.js';
import { Clock, fakeWebSocketClass, MemStorage, flush, welcome, contactEvent } from './fakes.mjs';

function setup(opts) {
  const clock = new Clock();
  const WS = fakeWebSocketClass();
  const storage = (opts && opts.storage) || new MemStorage();
  const c = new Client(Object.assign({ WebSocket: WS, url: 'ws://crm/__crmframe/ws', client: { kind: 'widget', id: 'crm' },
    storage, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, now: clock.now, random: () => 0.5 }, opts || {}));
  const statuses = [];
  c.events.on('status', (s) => statuses.push(s.status));
  return { c, clock, WS, storage, statuses };
}

function connectFresh(t, extra) {
  t.c.connect();
  const ws = t.WS.latest();
  ws.open();
  ws.recv(welcome(extra));
  return ws;
}

test('fresh connect: hello without resume, snapshot, ready, status', async () => {
  const t = setup();
  t.c.connect();
  const ws = t.WS.latest();
  assert.equal(ws.url, 'ws://crm/__crmframe/ws');
  ws.open();
  assert.deepEqual(ws.sent[0], { op: 'hello', v: 1, client: { kind: 'widget', id: 'crm' } });
  let snap = null;
  t.c.events.on('snapshot', (s) => (snap = s));
  ws.recv(welcome({ seq: 7, agent: { id: 'a1', state: 'LOGGEDIN', since: 5 }, contacts: [{ id: 'k9', uuid: 'u9', state: 'online', media_type: 'telephony' }] }));
  await t.c.ready();
  assert.deepEqual(t.statuses, ['connecting', 'connected']);
  assert.equal(t.c.status().status, 'connected');
  assert.equal(typeof t.c.status().since, 'number');
  assert.equal(t.c.agent().state, 'LOGGEDIN');
  assert.equal(t.c.contact('k9').state, 'online');
  assert.equal(snap.reason, 'fresh');
  assert.deepEqual(t.c.resumePoint(), { epoch: 'e1', seq: 7 });
});

test('events update the snapshot before listeners run, in seq order, registration order', () => {
  const t = setup();
  const ws = connectFresh(t);
  const seen = [];
  t.c.events.on('*', (e) => seen.push('star:' + e.event + ':' + (t.c.contact('k1') || {}).last_event));
  t.c.events.on('RINGING', (e) => seen.push('ringing:' + e.event));
  t.c.events.on('*', () => { throw new Error('boom'); });
  t.c.events.on('*', (e) => seen.push('after-throw:' + e.event));
  t.c.events.onError = () => seen.push('error-reported');
  ws.recv(contactEvent(1, 'JOBSCHEDULED'));
  ws.recv(contactEvent(2, 'RINGING'));
  assert.deepEqual(seen, [
    'star:JOBSCHEDULED:JOBSCHEDULED', 'error-reported', 'after-throw:JOBSCHEDULED',
    'star:RINGING:RINGING', 'ringing:RINGING', 'error-reported', 'after-throw:RINGING',
  ]);
});

test('JOBFINISHED removes the contact; agent events update the agent; chat messages accumulate', () => {
  const t = setup();
  const ws = connectFresh(t);
  ws.recv({ op: 'event', seq: 1, data: { event: 'PAUSESUBSTATE', time: 50, agent: 'a1', state: 'PAUSESUBSTATE', code: 1701, label: 'Lunch' } });
  assert.deepEqual([t.c.agent().state, t.c.agent().code, t.c.agent().label, t.c.agent().since], ['PAUSESUBSTATE', 1701, 'Lunch', 50]);
  ws.recv(contactEvent(2, 'ESTABLISHED', { media_type: 'chat', state: 'online' }));
  ws.recv(contactEvent(3, 'CHATMESSAGE', { media_type: 'chat', state: 'online', message: { from: 'customer', text: 'hi', time: 3 } }));
  ws.recv(contactEvent(4, 'CHATMESSAGE', { media_type: 'chat', state: 'online', message: { from: 'agent', text: 'hello', time: 4 } }));
  assert.deepEqual(t.c.contact('k1').messages.map((m) => m.text), ['hi', 'hello']);
  assert.equal(t.c.contact('k1').message, undefined);
  ws.recv(contactEvent(5, 'JOBFINISHED', { state: 'finished' }));
  assert.equal(t.c.contact('k1'), null);
  assert.equal(t.c.contacts().length, 0);
});

test('commands resolve on result, reject with typed engine errors and time out', async () => {
  const t = setup({ commandTimeout: 1000 });
  const ws = connectFresh(t);
  const p1 = t.c.command('AGENT.Ready', {});
  const m1 = ws.last('cmd');
  assert.deepEqual([m1.name, typeof m1.id], ['AGENT.Ready', 'string']);
  ws.recv({ op: 'result', id: m1.id, ok: true, data: { id: 'a1', state: 'LOGGEDIN' } });
  assert.deepEqual(await p1, { id: 'a1', state: 'LOGGEDIN' });

  const p2 = t.c.command('CONTACT.Hold', { contactId: 'x' });
  ws.recv({ op: 'result', id: ws.last('cmd').id, ok: false, error: { code: 'not_found', message: 'no contact "x"' } });
  await assert.rejects(p2, (e) => e.code === 'not_found' && e.name === 'AgentDesktopError' && /no contact/.test(e.message));

  const p3 = t.c.command('CONTACT.Bogus', {});
  ws.recv({ op: 'error', id: ws.last('cmd').id, error: { code: 'bad_request', message: 'cmd needs id and name' } });
  await assert.rejects(p3, { code: 'bad_request' });

  const p4 = t.c.command('AGENT.Logout', {});
  const id4 = ws.last('cmd').id;
  t.clock.advance(999);
  let settled = false;
  p4.catch(() => {}).finally(() => (settled = true));
  await flush();
  assert.equal(settled, false);
  t.clock.advance(1);
  await assert.rejects(p4, { code: 'timeout' });
  ws.recv({ op: 'result', id: id4, ok: true, data: {} }); // late: ignored
});

test('commands during reconnect are queued (bounded) and sent in order after welcome', async () => {
  const t = setup({ maxQueue: 2 });
  let ws = connectFresh(t);
  const inflight = t.c.command('AGENT.Ready', {});
  ws.drop(1006);
  await assert.rejects(inflight, { code: 'disconnected' });
  assert.equal(t.c.status().status, 'reconnecting');
  const a = t.c.command('CONTACT.Hold', { contactId: 'k1' });
  const b = t.c.command('CONTACT.Hangup', { contactId: 'k1' });
  await assert.rejects(t.c.command('AGENT.Pause', {}), { code: 'queue_full' });
  t.clock.advance(t.clock.next());
  ws = t.WS.latest();
  assert.equal(t.WS.all.length, 2);
  ws.open();
  assert.equal(ws.sent.length, 1, 'only hello before welcome');
  ws.recv(welcome({ snapshot: false, seq: 0 }));
  const cmds = ws.sent.filter((m) => m.op === 'cmd');
  assert.deepEqual(cmds.map((m) => m.name), ['CONTACT.Hold', 'CONTACT.Hangup']);
  for (const m of cmds) ws.recv({ op: 'result', id: m.id, ok: true, data: m.name });
  assert.deepEqual(await Promise.all([a, b]), ['CONTACT.Hold', 'CONTACT.Hangup']);
});

test('queueing disabled or failed connection rejects with not_connected', async () => {
  const t = setup({ queueWhileReconnecting: false });
  t.c.connect();
  await assert.rejects(t.c.command('AGENT.Ready'), { code: 'not_connected' });
  const u = setup();
  await assert.rejects(u.c.command('AGENT.Ready'), { code: 'not_connected' }, 'never connected');
});

test('backoff: exponential with equal jitter, capped, reset after welcome; failed after maxAttempts', () => {
  const rnd = [0, 1, 0.5, 0, 1, 0, 0, 0];
  const t = setup({ backoffBase: 100, backoffMax: 1000, maxAttempts: 6, random: () => rnd.shift() ?? 0 });
  t.c.connect();
  const delays = [];
  for (let i = 0; i < 6; i++) {
    t.WS.latest().drop(1006);
    if (i < 5) {
      delays.push(t.clock.next());
      t.clock.advance(t.clock.next());
    }
  }
  // attempt n: d = min(1000, 100*2^(n-1)); delay = d/2 + r*d/2
  assert.deepEqual(delays, [50, 200, 300, 400, 1000]);
  assert.equal(t.c.status().status, 'failed');
  assert.deepEqual(t.statuses, ['connecting', 'connecting', 'connecting', 'connecting', 'connecting', 'connecting',
    'connecting', 'connecting', 'connecting', 'connecting', 'connecting', 'failed']);
  assert.equal(t.clock.next(), -1, 'no retry scheduled once failed');
  t.c.retryNow();
  assert.equal(t.c.status().status, 'connecting');
  const ws = t.WS.latest();
  ws.open();
  ws.recv(welcome());
  ws.drop(1012);
  assert.equal(t.c.status().status, 'reconnecting');
  assert.equal(t.c.status().attempt, 1, 'attempts start over after a successful session');
  assert.equal(t.clock.next(), 50);
});

test('server refusal (1008) fails at once', () => {
  const t = setup();
  t.c.connect();
  t.WS.latest().open();
  t.WS.latest().drop(1008, 'too many connections');
  assert.equal(t.c.status().status, 'failed');
  assert.equal(t.c.status().reason, 'too many connections');
});

test('resume: reconnect sends {epoch, seq}, replay is deduplicated, gaps force a resume', () => {
  const t = setup();
  let ws = connectFresh(t, { epoch: 'E', seq: 10 });
  const got = [];
  t.c.events.on('*', (e) => got.push(e.event + '@' + e.time));
  ws.recv(contactEvent(11, 'JOBSCHEDULED'));
  ws.recv(contactEvent(12, 'RINGING'));
  ws.drop(4000);
  t.clock.advance(t.clock.next());
  ws = t.WS.latest();
  ws.open();
  assert.deepEqual(ws.sent[0].resume, { epoch: 'E', seq: 12 });
  ws.recv(welcome({ epoch: 'E', seq: 14, snapshot: false, replayed: 2, agent: undefined, contacts: undefined }));
  ws.recv(contactEvent(12, 'RINGING')); // duplicate
  ws.recv(contactEvent(13, 'JOBCHANGED', { phase: 'setup' }));
  ws.recv(contactEvent(15, 'POPUP')); // 14 missing
  assert.deepEqual(got, ['JOBSCHEDULED@1011', 'RINGING@1012', 'JOBCHANGED@1013']);
  assert.equal(ws.closed.code, 4002);
  t.clock.advance(t.clock.next());
  ws = t.WS.latest();
  ws.open();
  assert.deepEqual(ws.sent[0].resume, { epoch: 'E', seq: 13 });
});

test('page navigation: a new page restores the contact at once and resumes gap-free', async () => {
  const storage = new MemStorage();
  const p1 = setup({ storage });
  const ws1 = connectFresh(p1, { epoch: 'E', seq: 3 });
  ws1.recv(contactEvent(4, 'POPUP', { state: 'online' }));
  ws1.recv(contactEvent(5, 'ESTABLISHED', { state: 'online', startTime: 99 }));
  // the old page goes away without any goodbye; a new page loads
  const p2 = setup({ storage });
  assert.equal(p2.c.contact('k1').last_event, 'ESTABLISHED', 'known before connecting');
  assert.equal(p2.c.contact('k1').startTime, 99);
  const got = [];
  p2.c.events.on('*', (e) => got.push(e.event));
  let ready = false;
  p2.c.ready().then(() => (ready = true));
  p2.c.connect();
  const ws2 = p2.WS.latest();
  ws2.open();
  assert.deepEqual(ws2.sent[0].resume, { epoch: 'E', seq: 5 });
  ws2.recv(welcome({ epoch: 'E', seq: 7, snapshot: false, replayed: 2, agent: undefined }));
  await flush();
  assert.equal(ready, false, 'ready waits for the replay');
  ws2.recv(contactEvent(6, 'HELD', { state: 'online', held: true }));
  ws2.recv(contactEvent(7, 'RETRIEVED', { state: 'online', held: false }));
  await flush();
  assert.equal(ready, true);
  assert.deepEqual(got, ['HELD', 'RETRIEVED']);
  assert.equal(p2.c.contact('k1').held, false);
});

test('resume refused (history lost): snapshot replaces the restored state', () => {
  const storage = new MemStorage();
  const p1 = setup({ storage });
  const ws1 = connectFresh(p1, { epoch: 'E', seq: 3 });
  ws1.recv(contactEvent(4, 'POPUP', { state: 'online' }));
  const p2 = setup({ storage });
  let snap;
  p2.c.events.on('snapshot', (s) => (snap = s));
  p2.c.connect();
  const ws2 = p2.WS.latest();
  ws2.open();
  ws2.recv(welcome({ epoch: 'F', seq: 40, snapshot: true, contacts: [{ id: 'k2', state: 'online' }] }));
  assert.equal(snap.reason, 'history_lost');
  assert.equal(p2.c.contact('k1'), null);
  assert.equal(p2.c.contact('k2').state, 'online');
  assert.deepEqual(p2.c.resumePoint(), { epoch: 'F', seq: 40 });
});

test('a resumed stream of another agent is dropped and re-fetched as a snapshot', () => {
  const storage = new MemStorage();
  const p1 = setup({ storage });
  connectFresh(p1, { epoch: 'E', seq: 3, agent: { id: 'a1', state: 'LOGGEDIN' } });
  const p2 = setup({ storage });
  p2.c.connect();
  let ws = p2.WS.latest();
  ws.open();
  ws.recv(welcome({ epoch: 'E', seq: 9, snapshot: false, agent_id: 'a2', agent: undefined }));
  assert.equal(ws.closed.code, 4002);
  p2.clock.advance(p2.clock.next());
  ws = p2.WS.latest();
  ws.open();
  assert.equal(ws.sent[0].resume, undefined);
});

test('events of another agent after a resume drop the stored state and re-fetch a snapshot', () => {
  const storage = new MemStorage();
  const p1 = setup({ storage });
  connectFresh(p1, { epoch: 'E', seq: 3, agent: { id: 'a1', state: 'LOGGEDIN' } });
  const p2 = setup({ storage });
  const got = [];
  p2.c.events.on('*', (e) => got.push(e.event));
  p2.c.connect();
  let ws = p2.WS.latest();
  ws.open();
  ws.recv(welcome({ epoch: 'E', seq: 4, snapshot: false, replayed: 1, agent: undefined }));
  ws.recv({ op: 'event', seq: 4, data: { event: 'LOGGEDIN', agent: 'a2', state: 'LOGGEDIN', time: 9 } });
  assert.deepEqual(got, [], 'not delivered as ours');
  assert.equal(ws.closed.code, 4002);
  assert.equal(p2.c.agent(), null);
  p2.clock.advance(p2.clock.next());
  ws = p2.WS.latest();
  ws.open();
  assert.equal(ws.sent[0].resume, undefined);
});

test('silent server: missing traffic triggers a reconnect; pings are sent', () => {
  const t = setup();
  const ws = connectFresh(t, { limits: { ping_interval_ms: 1000 } });
  t.clock.advance(1000);
  assert.equal(ws.last().op, 'ping');
  t.clock.advance(5999);
  assert.equal(ws.closed, null, 'within 2 intervals + 5 s of silence');
  t.clock.advance(2000);
  assert.equal(ws.closed && ws.closed.code, 4002);
  assert.equal(t.c.status().status, 'reconnecting');
});

test('disconnect() stops for good and rejects queued commands', async () => {
  const t = setup();
  const ws = connectFresh(t);
  ws.drop(1006);
  const q = t.c.command('AGENT.Ready');
  t.c.disconnect();
  await assert.rejects(q, { code: 'not_connected' });
  assert.equal(t.c.status().status, 'disconnected');
  assert.equal(t.clock.next(), -1);
});

// Found by the clean-room pass: the function on() returns removed the latest
// registration of the same fn (here the once), not its own.
test('the unsubscribe function on/once return removes its own registration', async () => {
  const { Emitter } = await import('../../src/emitter.js');
  const e = new Emitter();
  const got = [];
  const f = (p) => got.push(p);
  const offOn = e.on('X', f);
  e.on('X', f, true); // once
  offOn();
  e.emit('X', 1);
  e.emit('X', 2);
  assert.deepEqual(got, [1], 'the once registration stayed, the on one went');
});

// Found by the clean-room pass: after LOGGEDIN, getAgent() said code 0,
// label '' and reason '' where the engine's agent object (welcome, GetState)
// has no such keys.
test('agent events leave code, label and reason absent when they carry none', () => {
  const t = setup();
  const ws = connectFresh(t, { agent: { id: 'a1', state: 'LOGGEDOUT', since: 1 } });
  ws.recv({ op: 'event', seq: 1, data: { event: 'PAUSESUBSTATE', state: 'PAUSESUBSTATE', agent: 'a1', time: 2, code: 1701, label: 'Lunch' } });
  assert.deepEqual([t.c.agent().code, t.c.agent().label], [1701, 'Lunch']);
  ws.recv({ op: 'event', seq: 2, data: { event: 'LOGGEDIN', state: 'LOGGEDIN', agent: 'a1', time: 3 } });
  assert.deepEqual(t.c.agent(), { id: 'a1', state: 'LOGGEDIN', since: 3 });
  ws.recv({ op: 'event', seq: 3, data: { event: 'FORCED', state: 'FORCED', agent: 'a1', time: 4, reason: 'no_answer' } });
  assert.deepEqual(t.c.agent(), { id: 'a1', state: 'FORCED', since: 4, reason: 'no_answer' });
});
