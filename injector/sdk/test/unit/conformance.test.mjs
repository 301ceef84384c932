// Conformance of the built bundle (../sdk.js) with the contract
// (spec/agentdesktop-sdk.md) and with what docs/sdk.md promises: every
// documented namespace and function exists (and is declared in
// agentdesktop.d.ts), every documented error code is exposed, errors are
// typed, and engine events reach listeners unchanged.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { fakeWebSocketClass, MemStorage, welcome } from './fakes.mjs';

const read = (rel) => fs.readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
const bundle = read('../../sdk.js');
const dts = read('../../agentdesktop.d.ts');
const docs = read('../../../../docs/sdk.md');

const opened = [];
afterEach(() => {
  while (opened.length) opened.pop().disconnect();
});

function browser() {
  const WS = fakeWebSocketClass();
  const location = { href: 'http://crm.test/', protocol: 'http:', host: 'crm.test', assign() {} };
  const w = {
    location, WebSocket: WS, sessionStorage: new MemStorage(), URL, setTimeout, clearTimeout, console,
    document: { currentScript: { src: 'http://crm.test/__crmframe/sdk.js', getAttribute: () => null }, cookie: '' },
    addEventListener() {},
    __crmframe_sdk: { alertAckTimeout: 50 },
  };
  w.window = w;
  vm.createContext(w);
  vm.runInContext(bundle, w, { filename: 'sdk.js' });
  opened.push(w.AGENTDESKTOP);
  const ws = WS.latest();
  ws.open();
  ws.recv(welcome());
  return { w, ws, AD: w.AGENTDESKTOP };
}

// section returns the text of docs/sdk.md from a heading to the next one
// of the same or a higher level.
function section(heading) {
  const i = docs.indexOf('\n' + heading + '\n');
  assert.ok(i >= 0, 'docs/sdk.md has no ' + heading);
  const level = heading.split(' ')[0];
  const rest = docs.slice(i + heading.length + 2);
  const re = new RegExp('\\n#{1,' + level.length + '} ');
  const j = rest.search(re);
  return j < 0 ? rest : rest.slice(0, j);
}

// firstColumnNames: the backticked names in the first column of a table.
function firstColumnNames(text) {
  const names = [];
  for (const line of text.split('\n')) {
    const m = /^\|\s*([^|]+)\|/.exec(line);
    if (!m || /^-+\s*$/.test(m[1].trim()) || /^(function|name|code)\b/.test(m[1].trim())) continue;
    for (const x of m[1].matchAll(/`([A-Za-z_$][\w$]*)[(`]/g)) names.push(x[1]);
  }
  return names;
}

// plain copies objects out of the vm realm (deepEqual checks prototypes).
const plain = (v) => JSON.parse(JSON.stringify(v));

const NAMESPACES = ['TAB', 'ALERT', 'WIDGET', 'CONTACT', 'AGENT', 'CHAT', 'UI'];

test('the seven contract namespaces exist under AGENTDESKTOP', () => {
  const { AD } = browser();
  for (const ns of NAMESPACES) assert.equal(typeof AD[ns], 'object', 'AGENTDESKTOP.' + ns);
});

test('every function docs/sdk.md lists exists in the bundle and in agentdesktop.d.ts', () => {
  const { AD } = browser();
  let count = 0;
  for (const ns of NAMESPACES) {
    const heading = ns === 'TAB' ? '### TAB (relayed to the desktop shell; each returns `false` when not connected)' : '### ' + ns;
    const names = firstColumnNames(section(heading));
    assert.ok(names.length > 0, 'no functions documented for ' + ns);
    for (const n of names) {
      assert.equal(typeof AD[ns][n], 'function', `AGENTDESKTOP.${ns}.${n} is documented but missing`);
      assert.match(dts, new RegExp('\\b' + n + '\\('), `${ns}.${n} missing from agentdesktop.d.ts`);
      count++;
    }
  }
  for (const n of firstColumnNames(section('## Modern layer').split('### SDK events')[0])) {
    assert.notEqual(AD[n], undefined, `AGENTDESKTOP.${n} is documented but missing`);
    assert.match(dts, new RegExp('\\b' + n + '\\b'), `${n} missing from agentdesktop.d.ts`);
    count++;
  }
  assert.ok(count > 60, 'parsed only ' + count + ' documented names');
});

test('the AgentDesktop names of DESIGN §5 keep their exact spelling', () => {
  const { AD } = browser();
  const want = {
    CONTACT: ['MakeCall', 'Answer', 'Hangup', 'HangupByContactID', 'Hold', 'OfflineEnd', 'OfflineEnable', 'SetCallData', 'StartRecording', 'StopRecording'],
    WIDGET: ['bindContactCallback', 'unbindContactCallback', 'getContainerID', 'getToken', 'getTokenOneShot', 'sendDataToWidget'],
    TAB: ['GoTo', 'Badge'],
  };
  for (const [ns, fns] of Object.entries(want)) for (const f of fns) assert.equal(typeof AD[ns][f], 'function', ns + '.' + f);
  assert.equal(AD.CONTACT.MakeCall.length >= 1, true);
});

test('Errors exposes every documented code; rejections are AgentDesktopError instances', async () => {
  const { AD, ws } = browser();
  const documented = firstColumnNames(section('### Errors'));
  assert.ok(documented.length >= 14, 'documented codes: ' + documented);
  const values = Object.values(AD.Errors);
  for (const code of documented) assert.ok(values.includes(code), 'AGENTDESKTOP.Errors lacks ' + code);
  assert.equal(AD.Errors.INVALID_STATE, 'invalid_state');
  assert.ok(Object.isFrozen(AD.Errors));

  const p = AD.CONTACT.Hold('k1');
  assert.ok(p instanceof AD.ready().constructor, 'commands return Promises');
  const m = ws.last('cmd');
  ws.recv({ op: 'result', id: m.id, ok: false, error: { code: 'invalid_state', message: 'contact k1 already held' } });
  await assert.rejects(p, (e) => e instanceof AD.AgentDesktopError && e.name === 'AgentDesktopError' &&
    e.code === AD.Errors.INVALID_STATE && e.message === 'contact k1 already held');
  // SDK-side errors are the same class
  await assert.rejects(AD.CONTACT.Answer(), (e) => e instanceof AD.AgentDesktopError && e.code === 'bad_argument');
});

test('AGENT.Pause: no code is a generic pause; a bad code is refused, never a generic pause', async () => {
  const { AD, ws } = browser();
  for (const [arg, want] of [[undefined, {}], [0, {}], [1701, { code: 1701 }], ['1701', { code: 1701 }]]) {
    const p = AD.AGENT.Pause(arg);
    const m = ws.last('cmd');
    assert.deepEqual(m.args, want, 'Pause(' + arg + ')');
    ws.recv({ op: 'result', id: m.id, ok: true, data: { state: 'PAUSE' } });
    await p;
  }
  const sent = ws.sent.length;
  for (const arg of ['lunch', -3, 17.5, {}]) {
    await assert.rejects(AD.AGENT.Pause(arg), (e) => e.code === 'bad_argument', 'Pause(' + JSON.stringify(arg) + ')');
  }
  assert.equal(ws.sent.length, sent, 'refused calls are not sent');
});

test('engine events reach on(name), on("*") and bindContactCallback unchanged, once', () => {
  const { AD, ws } = browser();
  const data = {
    event: 'JOBCHANGED', time: 1767344400123, phase: 'offline', id: 'k1', uuid: '0b6f3c2e-1d2a-4c3b-8a9e-0123456789ab',
    type: 'inbound', media_type: 'telephony', job_type: 'inbound', job_state: 'offline', service: 'SalesSvc', ani: '+39 06 1',
    dnis: '800', queue: 'sales', reason: 'agent_hangup', isACD: true, startTime: 1767344300000, endTime: 1767344400000,
    offlineStartTime: 1767344400123, agent: 'a1', state: 'offline', held: false, recording: false, offline_enabled: true, createdTime: 1767344200000,
  };
  const seen = { named: [], any: [], cb: [], once: [] };
  AD.on('JOBCHANGED', (e) => seen.named.push(e));
  AD.on('*', (e) => seen.any.push(e));
  AD.once('JOBCHANGED', (e) => seen.once.push(e));
  AD.WIDGET.bindContactCallback((e) => seen.cb.push(e));
  ws.recv({ op: 'event', seq: 1, data });
  ws.recv({ op: 'event', seq: 2, data: { ...data, event: 'JOBFINISHED', phase: undefined, offlineEndTime: 1767344410000 } });
  assert.deepEqual(plain(seen.named), [data]);
  assert.equal(seen.named[0], seen.any[0], 'every listener gets the same object');
  assert.deepEqual(plain(seen.once), [data]);
  assert.equal(seen.any.length, 2);
  assert.deepEqual(plain(seen.any[0]), data);
  assert.deepEqual(seen.cb.map((e) => e.event), ['JOBCHANGED', 'JOBFINISHED']);
  // agent events too, with their documented fields
  const agentEv = { event: 'PAUSESUBSTATE', time: 1767344420000, agent: 'a1', state: 'PAUSESUBSTATE', code: 1701, label: 'Lunch' };
  ws.recv({ op: 'event', seq: 3, data: agentEv });
  assert.deepEqual(plain(seen.cb[2]), agentEv);
  const a = AD.getAgent();
  assert.deepEqual([a.id, a.state, a.code, a.label, a.since], ['a1', 'PAUSESUBSTATE', 1701, 'Lunch', 1767344420000]);
});

test('the snapshot holds each contact exactly as its last event describes it', () => {
  const { AD, ws } = browser();
  const base = { id: 'k1', uuid: 'u1', type: 'inbound', media_type: 'telephony', job_type: 'inbound', isACD: true, service: '', ani: '1', dnis: '2', queue: 'q', state: 'online', held: true, recording: false, offline_enabled: true, createdTime: 5, agent: 'a1' };
  ws.recv({ op: 'event', seq: 1, data: { ...base, event: 'PARTYCHANGED', time: 10, peer: 'k9', parties: [{ kind: 'agent', target: 'a2', contact: 'k9', state: 'consulting' }] } });
  assert.equal(AD.getContact('k1').parties.length, 1);
  // TransferCancel: the engine drops parties (and here peer): so must the snapshot
  ws.recv({ op: 'event', seq: 2, data: { ...base, event: 'PARTYCHANGED', time: 11 } });
  const c = AD.getContact('k1');
  assert.equal(c.parties, undefined, 'stale parties');
  assert.equal(c.peer, undefined, 'stale peer');
  assert.equal(c.last_event, 'PARTYCHANGED');
  assert.equal(c.event, undefined, 'event-only fields stay out of the contact');
  assert.equal(c.time, undefined);
  ws.recv({ op: 'event', seq: 3, data: { ...base, held: false, event: 'RETRIEVED', time: 12 } });
  assert.equal(AD.getContact('k1').held, false);
});

test('bindContactCallback replay: agent event with time, JOB* events with their phase', async () => {
  const b = browser();
  const { AD, ws } = b;
  ws.recv({ op: 'event', seq: 1, data: { event: 'LOGGEDIN', time: 77, agent: 'a1', state: 'LOGGEDIN' } });
  const base = { uuid: 'u', type: 'inbound', media_type: 'telephony', job_type: 'inbound', isACD: true, service: '', ani: '', dnis: '', queue: 'q', held: false, recording: false, offline_enabled: true, createdTime: 1, time: 2 };
  ws.recv({ op: 'event', seq: 2, data: { ...base, id: 'k1', state: 'offered', event: 'JOBCHANGED', phase: 'setup' } });
  ws.recv({ op: 'event', seq: 3, data: { ...base, id: 'k2', state: 'offline', event: 'JOBCHANGED', phase: 'offline', job_state: 'offline' } });
  ws.recv({ op: 'event', seq: 4, data: { ...base, id: 'k3', state: 'online', event: 'JOBSTARTED', phase: 'online', job_state: 'online' } });
  const got = [];
  AD.WIDGET.bindContactCallback((e) => got.push([e.event, e.id || e.agent, e.phase || '', e.replayed === true, e.time]), { replay: true });
  await AD.ready();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(plain(got), [['LOGGEDIN', 'a1', '', true, 77], ['JOBCHANGED', 'k1', 'setup', true, null], ['JOBCHANGED', 'k2', 'offline', true, null], ['JOBSTARTED', 'k3', 'online', true, null]]);
});

test('a page in an about:srcdoc frame connects to the origin of its base URL', () => {
  const WS = fakeWebSocketClass();
  const w = {
    location: { href: 'about:srcdoc', protocol: 'about:', host: '', assign() {} },
    WebSocket: WS, sessionStorage: new MemStorage(), URL, setTimeout, clearTimeout, console,
    document: {
      baseURI: 'https://crm.test/app/page.do?id=1',
      currentScript: { src: 'https://crm.test/__crmframe/sdk.js?v=1', getAttribute: () => null }, cookie: '',
    },
    addEventListener() {},
  };
  w.window = w;
  vm.createContext(w);
  vm.runInContext(bundle, w, { filename: 'sdk.js' });
  opened.push(w.AGENTDESKTOP);
  assert.equal(WS.latest().url, 'wss://crm.test/__crmframe/ws');
});

// The Italian original (reference/agentdesktop-widget-sdk.it.txt): "Gli
// eventi notificati da AgentDesktop verso l'SDK hanno una struttura JSON, in
// cui la proprietà "event" descrive l'evento stesso" — every event of a
// contact's life, POPUP and the agent events reach the WIDGET callback in
// order; the agent's state follows the agent events.
test('every contract event reaches bindContactCallback in order, as an object with event', () => {
  const { AD, ws } = browser();
  const got = [];
  AD.WIDGET.bindContactCallback((e) => got.push(e.event + (e.phase ? ':' + e.phase : '')));
  const base = { id: 'k1', uuid: 'u1', type: 'inbound', media_type: 'telephony', job_type: 'inbound', isACD: true, service: '', ani: '', dnis: '', queue: 'q', time: 1 };
  const life = ['JOBSCHEDULED', 'CONNECTIONSTARTED', 'RINGING', 'JOBCHANGED:setup', 'POPUP', 'ESTABLISHED', 'JOBSTARTED:online', 'HELD', 'RETRIEVED',
    'DATACHANGED', 'CONNECTIONCLEARED', 'JOBCHANGED:offline', 'JOBFINISHED'];
  const agent = ['LOGGEDIN', 'PAUSE', 'PAUSESUBSTATE', 'FORCED', 'LOGGEDOUT'];
  let seq = 0;
  ws.recv({ op: 'event', seq: ++seq, data: { event: 'LOGGEDIN', agent: 'a1', state: 'LOGGEDIN', time: 1 } });
  for (const n of life) {
    const [event, phase] = n.split(':');
    ws.recv({ op: 'event', seq: ++seq, data: { ...base, event, ...(phase ? { phase } : {}) } });
    if (event === 'JOBSCHEDULED') assert.equal(AD.getContact('k1').last_event, 'JOBSCHEDULED');
  }
  assert.equal(AD.getContact('k1'), null, 'JOBFINISHED ends the contact');
  for (const n of agent.slice(1)) {
    ws.recv({ op: 'event', seq: ++seq, data: { event: n, agent: 'a1', state: n, time: seq, ...(n === 'PAUSESUBSTATE' ? { code: 1701 } : {}) } });
    const a = AD.getAgent();
    // no code: absent, as in the engine's agent object (events.md)
    assert.deepEqual([a.state, a.code], [n, n === 'PAUSESUBSTATE' ? 1701 : undefined]);
  }
  assert.deepEqual(got, ['LOGGEDIN', ...life, ...agent.slice(1)]);
});

// AGENTDESKTOP.UI: "Gestione e notifica degli eventi relativi
// all'apertura/chiusura delle finestre di dialogo": both notifications, as
// objects with event; unbind stops both.
test('UI dialog callbacks get DIALOGOPENED and DIALOGCLOSED; unbind stops both', () => {
  const { AD, ws } = browser();
  const seen = [];
  const fn = (e) => seen.push([e.event, e.dialog, e.from]);
  AD.UI.bindDialogCallback(fn);
  AD.UI.bindDialogCallback(fn);
  ws.recv({ op: 'relay', name: 'UI.DialogOpened', from: 'desktop:shell', data: { dialog: 'accept' } });
  ws.recv({ op: 'relay', name: 'UI.DialogClosed', from: 'desktop:shell', data: { dialog: 'accept' } });
  AD.UI.unbindDialogCallback(fn);
  ws.recv({ op: 'relay', name: 'UI.DialogOpened', from: 'desktop:shell', data: { dialog: 'again' } });
  assert.deepEqual(plain(seen), [['DIALOGOPENED', 'accept', 'desktop:shell'], ['DIALOGCLOSED', 'accept', 'desktop:shell']]);
  AD.UI.DialogOpened('search', { q: 1 });
  assert.deepEqual(plain(ws.last('relay')), { op: 'relay', name: 'UI.DialogOpened', data: { dialog: 'search', data: { q: 1 } } });
});
