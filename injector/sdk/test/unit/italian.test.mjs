// Audit against the original Italian document (reference/
// agentdesktop-widget-sdk.it.txt): what the built bundle (../sdk.js) hands
// to integrations' callbacks must look like the contract's events.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { fakeWebSocketClass, MemStorage, welcome, flush } from './fakes.mjs';

const bundle = fs.readFileSync(fileURLToPath(new URL('../../sdk.js', import.meta.url)), 'utf8');
const opened = [];
afterEach(() => {
  while (opened.length) opened.pop().disconnect();
});

function page(w0) {
  const WS = fakeWebSocketClass();
  const w = {
    location: { href: 'http://crm.test/', protocol: 'http:', host: 'crm.test', assign() {} }, WebSocket: WS,
    sessionStorage: new MemStorage(), URL, setTimeout, clearTimeout, console,
    document: { currentScript: { src: 'http://crm.test/__crmframe/sdk.js', getAttribute: () => null }, cookie: '' },
    addEventListener() {},
  };
  w.window = w;
  vm.createContext(w);
  vm.runInContext(bundle, w, { filename: 'sdk.js' });
  opened.push(w.AGENTDESKTOP);
  const ws = WS.latest();
  ws.open();
  ws.recv(welcome(w0));
  return { AD: w.AGENTDESKTOP, ws };
}

const plain = (v) => JSON.parse(JSON.stringify(v));

// docs/events.md: "Agent events never carry a contact id: that is how a
// bindContactCallback function tells them apart". The replayed agent state
// carried the snapshot's agent object, id included (and queues, capacity…).
test('bindContactCallback replay: the agent state looks like a live agent event (no id)', async () => {
  const agent = { id: 'a1', name: 'Alice', state: 'PAUSESUBSTATE', code: 1701, label: 'Lunch', since: 5, queues: ['sales'], capacity: { telephony: 1 }, busy: { telephony: 0 }, connections: 1 };
  const { AD } = page({ agent });
  const got = [];
  AD.WIDGET.bindContactCallback((e) => got.push(plain(e)), { replay: true });
  await AD.ready();
  await flush();
  assert.deepEqual(got, [{ event: 'PAUSESUBSTATE', time: 5, agent: 'a1', state: 'PAUSESUBSTATE', name: 'Alice', code: 1701, label: 'Lunch', replayed: true }]);
  // a callback that routes on `id` (contact events) sees no contact here
  assert.equal(got.filter((e) => e.id).length, 0);
});

test('bindContactCallback replay: an agent without name or pause code gets no empty fields', async () => {
  const { AD } = page({ agent: { id: 'a2', state: 'LOGGEDIN', since: 9, capacity: {}, busy: {}, connections: 1 } });
  const got = [];
  AD.WIDGET.bindContactCallback((e) => got.push(plain(e)), { replay: true });
  await AD.ready();
  await flush();
  assert.deepEqual(got, [{ event: 'LOGGEDIN', time: 9, agent: 'a2', state: 'LOGGEDIN', replayed: true }]);
});

// A replayed contact is an event object: the contract's fields, no
// snapshot-only last_event or chat history (events never repeat it).
test('bindContactCallback replay: a contact event carries its fields, not last_event or messages', async () => {
  const k = { id: 'k1', uuid: 'u1', chat_id: 'c1', type: 'inbound', media_type: 'chat', job_type: 'inbound', job_state: 'online', isACD: true, service: '', ani: 'x@y', dnis: '', queue: 'q', startTime: 7, state: 'online', held: false, recording: false, offline_enabled: true, createdTime: 6, agent: 'a1', last_event: 'CHATMESSAGE', messages: [{ from: 'customer', text: 'hi', time: 8 }] };
  const { AD } = page({ agent: { id: 'a1', state: 'LOGGEDIN', since: 1 }, contacts: [k] });
  const got = [];
  AD.WIDGET.bindContactCallback((e) => { if (e.id) got.push(plain(e)); }, { replay: true });
  await AD.ready();
  await flush();
  const want = { ...k, event: 'CHATMESSAGE', replayed: true };
  delete want.last_event;
  delete want.messages;
  assert.deepEqual(got, [want]);
  // the history is still there for whoever asks
  assert.deepEqual(plain(AD.CHAT.GetMessages('k1')), k.messages);
  assert.equal(AD.getContact('k1').last_event, 'CHATMESSAGE');
});
