// Tests of the built bundle (../sdk.js) in a fake browser window: the
// global, its configuration from the script tag, the AgentDesktop-compatible
// calls on the wire, ALERT fallback and screen-pop.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { fakeWebSocketClass, MemStorage, flush, welcome, contactEvent } from './fakes.mjs';
import { fillTemplate } from '../../src/dom.js';
import { prefixFromSrc } from '../../src/index.js';

const opened = [];
// real timers run inside the fake window: stop every client after each test
afterEach(() => {
  while (opened.length) opened.pop().disconnect();
});

const bundle = fs.readFileSync(fileURLToPath(new URL('../../sdk.js', import.meta.url)), 'utf8');

function browser({ src = 'http://crm.test/__crmframe/sdk.js?v=abc', attrs = {}, storage = new MemStorage(), href = 'http://crm.test/index.html', crmframe, loading = false } = {}) {
  const WS = fakeWebSocketClass();
  const navigations = [];
  const loc = new URL(href);
  const location = { href: loc.href, protocol: loc.protocol, host: loc.host, assign: (u) => navigations.push(u) };
  const script = { src, getAttribute: (n) => (n in attrs ? attrs[n] : null) };
  const w = {
    location, WebSocket: WS, sessionStorage: storage, URL, setTimeout, clearTimeout, console,
    document: {
      currentScript: script, cookie: '', readyState: loading ? 'loading' : 'complete', listeners: {},
      addEventListener(n, f) { (this.listeners[n] = this.listeners[n] || []).push(f); },
    },
    addEventListener() {},
    __crmframe_sdk: { alertAckTimeout: 50 },
  };
  w.window = w;
  if (crmframe) {
    w.__crmframe = crmframe;
    w.__crmframe_top = { location: { href: loc.href, assign: (u) => navigations.push('top:' + u) } };
  }
  vm.createContext(w);
  const load = () => vm.runInContext(bundle, w, { filename: 'sdk.js' });
  load();
  opened.push(w.AGENTDESKTOP);
  return { w, WS, navigations, load, storage, AD: w.AGENTDESKTOP };
}

function online(b, extra) {
  const ws = b.WS.latest();
  ws.open();
  ws.recv(welcome(extra));
  return ws;
}

test('defines AGENTDESKTOP once; a second load (agentdesktop_widget.js) changes nothing', () => {
  const b = browser();
  const first = b.w.AGENTDESKTOP;
  assert.equal(first.__crmframe, true);
  for (const ns of ['TAB', 'ALERT', 'WIDGET', 'CONTACT', 'AGENT', 'CHAT', 'UI']) assert.equal(typeof first[ns], 'object', ns);
  b.w.document.currentScript = { src: 'http://crm.test/AD/widget/agentdesktop_widget.js', getAttribute: () => null };
  b.load();
  assert.equal(b.w.AGENTDESKTOP, first);
  assert.equal(b.WS.all.length, 1, 'one connection per page');
});

test('connects to <prefix>/ws of the page origin, prefix from the script src', () => {
  assert.equal(browser().WS.latest().url, 'ws://crm.test/__crmframe/ws');
  assert.equal(browser({ src: 'https://crm.test/x/y/sdk.1a2b3c.js', href: 'https://crm.test/' }).WS.latest().url, 'wss://crm.test/x/y/ws');
  assert.equal(browser({ src: '/AD/widget/agentdesktop_widget.js' }).WS.latest().url, 'ws://crm.test/__crmframe/ws');
  assert.equal(browser({ attrs: { 'data-crmframe-prefix': '/cf' } }).WS.latest().url, 'ws://crm.test/cf/ws');
  assert.equal(browser({ attrs: { 'data-crmframe-autoconnect': 'false' } }).WS.all.length, 0);
  assert.equal(prefixFromSrc('', 'http://x/'), '/__crmframe');
  assert.equal(prefixFromSrc('/p/sdk.js', 'http://x/'), '/p');
});

test('hello carries the widget id; getContainerID returns it', () => {
  const b = browser({ attrs: { 'data-crmframe-widget': 'AGENTDESKTOP_MY_WIDGET' } });
  b.WS.latest().open();
  assert.deepEqual(b.WS.latest().sent[0].client, { kind: 'widget', id: 'AGENTDESKTOP_MY_WIDGET' });
  assert.equal(b.AD.WIDGET.getContainerID(), 'AGENTDESKTOP_MY_WIDGET');
});

test('AgentDesktop calls map onto engine commands', async () => {
  const b = browser();
  const ws = online(b);
  const { CONTACT, AGENT, CHAT } = b.AD;
  const calls = [
    [() => CONTACT.MakeCall('0612345', 'PHONE', 12, 3, 'A=1;B=2'), 'CONTACT.MakeCall', { destination: '0612345', resourceType: 'PHONE', serviceId: 12, callProfileId: 3, callData: 'A=1;B=2' }],
    [() => CONTACT.Answer('k1'), 'CONTACT.Answer', { contactId: 'k1' }],
    [() => CONTACT.Hangup(), 'CONTACT.Hangup', {}],
    [() => CONTACT.Hangup('k1'), 'CONTACT.Hangup', { contactId: 'k1' }],
    [() => CONTACT.HangupByContactID('k1'), 'CONTACT.HangupByContactID', { contactId: 'k1' }],
    [() => CONTACT.Hold('k1'), 'CONTACT.Hold', { contactId: 'k1' }],
    [() => CONTACT.Hold('k1', false), 'CONTACT.Hold', { contactId: 'k1', hold: false }],
    [() => CONTACT.OfflineEnd('k1'), 'CONTACT.OfflineEnd', { contactId: 'k1' }],
    [() => CONTACT.OfflineEnable('k1', false), 'CONTACT.OfflineEnable', { contactId: 'k1', enable: false }],
    [() => CONTACT.SetCallData('k1', 'KEY=value'), 'CONTACT.SetCallData', { contactId: 'k1', data: 'KEY=value' }],
    [() => CONTACT.StartRecording('k1', 'rec1', 'R=1', 'hi'), 'CONTACT.StartRecording', { contactId: 'k1', callRecorders: 'rec1', callData: 'R=1', message: 'hi' }],
    [() => CONTACT.StopRecording('k1'), 'CONTACT.StopRecording', { contactId: 'k1' }],
    [() => CONTACT.BlindTransfer('k1', 'queue:sales'), 'CONTACT.Transfer', { contactId: 'k1', mode: 'blind', target: 'sales', targetType: 'queue' }],
    [() => CONTACT.ConsultTransfer('k1', 'a2', 'agent'), 'CONTACT.Transfer', { contactId: 'k1', mode: 'consult', target: 'a2', targetType: 'agent' }],
    [() => CONTACT.Transfer('k1', '0699'), 'CONTACT.Transfer', { contactId: 'k1', mode: 'blind', target: '0699', targetType: 'number' }],
    [() => CONTACT.CompleteTransfer('k1'), 'CONTACT.TransferComplete', { contactId: 'k1' }],
    [() => CONTACT.CancelTransfer('k1'), 'CONTACT.TransferCancel', { contactId: 'k1' }],
    [() => CONTACT.Conference('k1'), 'CONTACT.Conference', { contactId: 'k1' }],
    [() => AGENT.Ready(), 'AGENT.Ready', {}],
    [() => AGENT.Pause(), 'AGENT.Pause', {}],
    [() => AGENT.Pause('1701'), 'AGENT.Pause', { code: 1701 }],
    [() => AGENT.Logout(), 'AGENT.Logout', {}],
    [() => AGENT.GetPauseCodes(), 'AGENT.GetPauseCodes', {}],
    [() => CHAT.SendMessage('k1', 'hello'), 'CHAT.Send', { contactId: 'k1', text: 'hello' }],
  ];
  for (const [call, name, args] of calls) {
    const p = call();
    const m = ws.last('cmd');
    assert.equal(m.name, name);
    assert.deepEqual(m.args, args, name);
    ws.recv({ op: 'result', id: m.id, ok: true, data: { ok: name } });
    assert.deepEqual({ ...(await p) }, { ok: name });
  }
  const before = ws.sent.length;
  await assert.rejects(CONTACT.Answer(), { code: 'bad_argument' });
  await assert.rejects(CHAT.SendMessage('k1', '  '), { code: 'bad_argument' });
  assert.equal(ws.sent.length, before, 'invalid calls are not sent');
});

test('commands wait for their result with the default timeout', async () => {
  const b = browser();
  const ws = online(b);
  const p = b.AD.AGENT.Ready();
  let settled = false;
  p.then(() => (settled = true), () => (settled = true));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(settled, false, 'still waiting after 30 ms');
  ws.recv({ op: 'result', id: ws.last('cmd').id, ok: true, data: { state: 'LOGGEDIN' } });
  assert.equal((await p).state, 'LOGGEDIN');
});

test('bindContactCallback is idempotent and gets contact and agent events; replay option', async () => {
  const b = browser();
  const ws = online(b, { contacts: [{ id: 'k0', uuid: 'u0', state: 'online', last_event: 'ESTABLISHED' }] });
  const got = [];
  const fn = (e) => got.push(e.event + (e.replayed ? '(replayed)' : ''));
  b.AD.WIDGET.unbindContactCallback(fn);
  b.AD.WIDGET.bindContactCallback(fn);
  b.AD.WIDGET.bindContactCallback(fn);
  ws.recv(contactEvent(1, 'RINGING'));
  ws.recv({ op: 'event', seq: 2, data: { event: 'LOGGEDIN', agent: 'a1', state: 'LOGGEDIN', time: 5 } });
  b.AD.WIDGET.unbindContactCallback(fn);
  ws.recv(contactEvent(3, 'JOBCHANGED', { phase: 'setup' }));
  assert.deepEqual(got, ['RINGING', 'LOGGEDIN']);
  const late = [];
  b.AD.WIDGET.bindContactCallback((e) => late.push(e.event + ':' + (e.id || e.agent)), { replay: true });
  await flush();
  assert.deepEqual(late, ['LOGGEDIN:a1', 'ESTABLISHED:k0', 'JOBCHANGED:k1']);
});

test('ALERT goes to the shell when it acknowledges, else falls back to the page', async () => {
  const b = browser();
  const ws = online(b);
  const p = b.AD.ALERT.Show('Title', 'Text', 'warning', 0);
  const r = ws.last('relay');
  assert.equal(r.name, 'ALERT.Show');
  assert.deepEqual([r.data.title, r.data.text, r.data.level, r.data.timeout, r.data.widget], ['Title', 'Text', 'warning', 0, 'crm']);
  ws.recv({ op: 'relay', name: 'ALERT.Ack', from: 'desktop:shell', data: { id: r.data.id } });
  assert.deepEqual({ ...(await p) }, { id: r.data.id, where: 'shell' });

  const drawn = [];
  b.w.document.createElement = (tag) => ({ tag, style: {}, children: [], setAttribute() {}, appendChild(c) { this.children.push(c); }, attachShadow() { return this; } });
  b.w.document.body = { appendChild: (n) => drawn.push(n) };
  const p2 = b.AD.ALERT.Show({ title: 'Nobody', text: 'listens', timeout: 0 });
  assert.deepEqual({ ...(await p2) }.where, 'page');
  assert.equal(drawn.length, 1);
  assert.match(JSON.stringify(drawn[0].children), /Nobody/);
});

test('TAB, WIDGET data and UI dialogs travel as relays', () => {
  const b = browser();
  const ws = online(b);
  b.AD.TAB.GoTo('OTHER_WIDGET');
  assert.deepEqual(ws.last('relay'), { op: 'relay', name: 'TAB.GoTo', data: { widget: 'crm', target: 'OTHER_WIDGET' } });
  b.AD.TAB.Badge(3);
  assert.deepEqual(ws.last('relay').data, { widget: 'crm', count: 3 });
  b.AD.WIDGET.sendDataToWidget('OTHER_WIDGET', { a: 1 });
  assert.deepEqual(ws.last('relay'), { op: 'relay', name: 'WIDGET.Data', to: 'OTHER_WIDGET', data: { widget: 'crm', data: { a: 1 } } });
  const seen = [];
  b.AD.WIDGET.bindDataCallback((e) => seen.push(e));
  b.AD.UI.bindDialogCallback((e) => seen.push(e));
  ws.recv({ op: 'relay', name: 'WIDGET.Data', from: 'widget:OTHER', data: { widget: 'OTHER', data: 'x' } });
  ws.recv({ op: 'relay', name: 'UI.DialogOpened', from: 'desktop:shell', data: { dialog: 'accept', data: { contactId: 'k1' } } });
  assert.deepEqual(seen.map((e) => [e.event, e.from, e.widget || e.dialog]), [['WIDGETDATA', 'widget:OTHER', 'OTHER'], ['DIALOGOPENED', 'desktop:shell', 'accept']]);
});

test('screen-pop: on POPUP the CRM root navigates to the filled template, once per contact', () => {
  const storage = new MemStorage();
  const attrs = { 'data-crmframe-screen-pop': JSON.stringify({ '*': '/customers?phone={ani}&id={id}', chat: '/chat/{chat_id}' }) };
  const b = browser({ attrs, storage, crmframe: { root: true } });
  const ws = online(b, { epoch: 'E' });
  ws.recv(contactEvent(1, 'RINGING'));
  assert.deepEqual(b.navigations, []);
  ws.recv(contactEvent(2, 'POPUP', { ani: '+39 06/12&34' }));
  assert.deepEqual(b.navigations, ['top:http://crm.test/customers?phone=%2B39%2006%2F12%2634&id=k1']);
  // the navigated-to page resumes; a replayed or repeated POPUP does not pop again
  const b2 = browser({ attrs, storage, crmframe: { root: true } });
  const ws2 = b2.WS.latest();
  ws2.open();
  ws2.recv(welcome({ epoch: 'E', seq: 3, snapshot: false, replayed: 1 }));
  ws2.recv(contactEvent(3, 'POPUP', { ani: 'x' }));
  assert.deepEqual(b2.navigations, []);
  ws2.recv(contactEvent(4, 'POPUP', { id: 'k2', media_type: 'chat', chat_id: 'c 9' }));
  assert.deepEqual(b2.navigations, ['top:http://crm.test/chat/c%209']);
  // nested CRM frames leave it to the root frame
  const b3 = browser({ attrs, crmframe: { root: false } });
  online(b3).recv(contactEvent(1, 'POPUP'));
  assert.deepEqual(b3.navigations, []);
});

test('fillTemplate escapes values, supports call_data and blanks unknown fields', () => {
  assert.equal(fillTemplate('/c?p={ani}&x={nope}&d={call_data.Order No}', { ani: 'a b', call_data: { 'Order No': '1/2' } }), '/c?p=a%20b&x=&d={call_data.Order No}');
  assert.equal(fillTemplate('/c?d={call_data.ORDER}', { call_data: { ORDER: '1/2' } }), '/c?d=1%2F2');
});

test('status events and getters reflect the connection', () => {
  const b = browser();
  const seen = [];
  b.AD.on('status', (s) => seen.push(s.status));
  assert.equal(b.AD.getStatus().status, 'connecting');
  const ws = online(b);
  ws.drop(1012);
  assert.deepEqual(seen, ['connected', 'reconnecting']);
  assert.equal(b.AD.getStatus().previous, 'connected');
});

// An inline or inject script runs while the document is still parsed, before
// autoconnect opens the WebSocket (DOMContentLoaded): docs/sdk.md's inject
// example calls SetCallData right then. Found by TestSDKCleanroom: it was
// rejected with not_connected.
test('commands issued while the document loads are queued and sent after the welcome', async () => {
  const b = browser({ loading: true });
  assert.equal(b.WS.all.length, 0, 'no connection before DOMContentLoaded');
  assert.equal(b.AD.getStatus().status, 'connecting');
  const p = b.AD.CONTACT.SetCallData('k1', 'customer_id=42');
  const q = b.AD.AGENT.GetState();
  b.w.document.listeners.DOMContentLoaded.forEach((f) => f());
  const ws = online(b);
  const cmds = ws.sent.filter((m) => m.op === 'cmd');
  assert.deepEqual(cmds.map((m) => [m.name, m.args]), [['CONTACT.SetCallData', { contactId: 'k1', data: 'customer_id=42' }], ['AGENT.GetState', {}]]);
  ws.recv({ op: 'result', id: cmds[0].id, ok: true, data: { id: 'k1' } });
  ws.recv({ op: 'result', id: cmds[1].id, ok: true, data: { id: 'a1' } });
  assert.equal((await p).id, 'k1');
  assert.equal((await q).id, 'a1');
});

test('disconnect() while the document loads: no connection at DOMContentLoaded, queued commands rejected', async () => {
  const b = browser({ loading: true });
  const p = b.AD.AGENT.GetState();
  b.AD.disconnect();
  await assert.rejects(p, { code: 'not_connected' });
  b.w.document.listeners.DOMContentLoaded.forEach((f) => f());
  assert.equal(b.WS.all.length, 0);
  assert.equal(b.AD.getStatus().status, 'disconnected');
});

// connect() again (a shell signing in anew, a page after disconnect())
// resolves with the new connection's state, not the first one's. Found by
// TestSDKCleanroom: it resolved at once, while still reconnecting.
test('connect() after disconnect() resolves after the next welcome; disconnect() meanwhile rejects it', async () => {
  const b = browser();
  online(b);
  b.AD.disconnect();
  let done = null;
  const p = b.AD.connect().then((s) => { done = s; });
  await flush();
  assert.equal(done, null, 'not before the welcome');
  assert.equal(b.AD.getStatus().status, 'reconnecting');
  const ws = b.WS.latest();
  ws.open();
  ws.recv(welcome({ seq: 3, contacts: [{ id: 'k9', state: 'online' }] }));
  await p;
  assert.equal(done.contacts.map((c) => c.id).join(), 'k9');
  const again = b.AD.connect();
  assert.equal((await again).contacts.map((c) => c.id).join(), 'k9', 'already connected: at once');
  b.AD.disconnect();
  const q = b.AD.connect();
  b.AD.disconnect();
  await assert.rejects(q, { code: 'not_connected' });
});
