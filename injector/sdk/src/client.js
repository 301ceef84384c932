// Client: one WebSocket to the engine with status, jittered exponential
// backoff, gap-free resume, a bounded command queue and typed errors.
// Browser globals are injected so that the tests can drive it with fakes.
import * as wire from './transport.js';
import { Emitter } from './emitter.js';
import { Store } from './state.js';
import { SdkError, Codes, toError } from './errors.js';
import { SPromise, SMap, assign, keys, setT, clearT } from './safe.js';

const DEFAULTS = {
  commandTimeout: 10000,
  maxQueue: 32,
  queueWhileReconnecting: true,
  backoffBase: 500,
  backoffMax: 30000,
  maxAttempts: 12,
  pingInterval: 25000,
  storageKey: 'crmframe.sdk',
};

export class Client {
  constructor(opts) {
    const o = assign({}, DEFAULTS);
    for (const k of keys(opts || {})) if (opts[k] !== undefined) o[k] = opts[k]; // undefined keeps the default
    this.o = o;
    this.WS = o.WebSocket;
    this.setT = o.setTimeout || setT;
    this.clearT = o.clearTimeout || clearT;
    this.now = o.now || (() => Date.now());
    this.random = o.random || Math.random;
    this.events = new Emitter(o.onListenerError);
    this.store = new Store(o.storage, o.storageKey);
    this.restored = this.store.load();
    this.hooks = []; // internal after-event hooks (screen-pop)
    this.linkHooks = []; // internal {up, down}: a connection welcomed / gone (shim reports)
    this.ws = null;
    this.welcomed = false;
    this.everConnected = false;
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastRx = 0;
    this.n = 0;
    this.queue = [];
    this.inflight = new SMap();
    this.replayLeft = 0;
    this.stopped = true;
    this.st = { status: 'disconnected', since: this.now(), attempt: 0 };
    this.readyP = new SPromise((res) => { this.readyRes = res; });
    this.syncWaiters = [];
  }

  // ---- public surface (wrapped by the AGENTDESKTOP namespaces) ----

  status() {
    return assign({}, this.st);
  }

  ready() {
    return this.readyP;
  }

  // synced resolves like ready(), but for the current connection: at once
  // when it is in sync, else after the next welcome (and its replay).
  // It rejects when the page disconnects or the connection fails for good.
  synced() {
    if (this.welcomed && this.replayLeft === 0) return SPromise.resolve(this.readyState());
    return new SPromise((resolve, reject) => this.syncWaiters.push({ resolve, reject }));
  }

  readyState() {
    return { agent: this.agent(), contacts: this.contacts() };
  }

  rejectSync(msg) {
    const ws = this.syncWaiters;
    this.syncWaiters = [];
    for (const x of ws) x.reject(new SdkError(Codes.NOT_CONNECTED, msg));
  }

  agent() {
    return this.store.agent ? assign({}, this.store.agent) : null;
  }

  contacts() {
    return [...this.store.contacts.values()].map((c) => assign({}, c));
  }

  contact(id) {
    const c = this.store.contacts.get(String(id));
    return c ? assign({}, c) : null;
  }

  resumePoint() {
    return this.store.resumePoint();
  }

  // connect opens the connection (again); options may change url/client.
  connect(opts) {
    if (opts) assign(this.o, opts);
    this.stopped = false;
    this.waiting = false;
    if (this.ws) return;
    this.attempt = 0;
    this.open();
  }

  // pending: autoconnect waits for the document to be parsed; until then
  // the page's commands queue (as while connecting) instead of failing.
  pending() {
    this.stopped = false;
    this.waiting = true;
    this.setStatus('connecting', {});
  }

  // disconnect closes for good (until connect()); pending commands fail.
  disconnect(forget) {
    this.stopped = true;
    this.waiting = false;
    this.clearRetry();
    this.drop(1000, 'client disconnect');
    this.failAll(Codes.NOT_CONNECTED, 'disconnected by the page');
    this.rejectSync('disconnected by the page');
    if (forget) this.store.forget();
    this.setStatus('disconnected', {});
  }

  // retryNow skips the backoff wait (browser came back online).
  retryNow() {
    if (this.stopped || this.ws || this.waiting) return;
    this.clearRetry();
    if (this.st.status === 'failed') this.attempt = 0;
    this.open();
  }

  command(name, args, opts) {
    const timeout = (opts && opts.timeout) || this.o.commandTimeout;
    return new SPromise((resolve, reject) => {
      const c = { id: 'c' + ++this.n, name, args: args || {}, resolve, reject, timer: null };
      const s = this.st.status;
      if (this.welcomed) {
        this.send(c);
      } else if (!this.stopped && s !== 'failed' && this.o.queueWhileReconnecting) {
        if (this.queue.length >= this.o.maxQueue) {
          reject(new SdkError(Codes.QUEUE_FULL, 'command queue full (' + this.o.maxQueue + ') while ' + s));
          return;
        }
        this.queue.push(c);
      } else {
        reject(new SdkError(Codes.NOT_CONNECTED, 'not connected (' + s + ')'));
        return;
      }
      c.timer = this.setT(() => {
        const i = this.queue.indexOf(c);
        if (i >= 0) this.queue.splice(i, 1);
        this.inflight.delete(c.id);
        reject(new SdkError(Codes.TIMEOUT, name + ': no result within ' + timeout + ' ms'));
      }, timeout);
    });
  }

  // relay forwards a message to the agent's other pages (TAB/ALERT/UI/WIDGET).
  relay(name, data, to) {
    if (!this.welcomed) return false;
    return this.raw(wire.relay(name, data, to));
  }

  // ---- connection ----

  setStatus(status, extra) {
    const prev = this.st.status;
    this.st = assign({ status, since: this.now(), previous: prev, attempt: this.attempt }, extra || {});
    if (status === 'connected') this.st.connectedAt = this.st.since;
    this.events.emit('status', this.status(), false);
  }

  url() {
    return typeof this.o.url === 'function' ? this.o.url() : this.o.url;
  }

  open() {
    this.retryTimer = null;
    this.welcomed = false;
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting', {});
    let ws;
    try {
      ws = new this.WS(this.url());
    } catch (e) {
      this.ws = null;
      this.lost(0, String(e && e.message));
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.lastRx = this.now();
      const resume = this.store.resumePoint();
      this.resumed = !!resume;
      this.raw(wire.hello(this.o.client || { kind: 'widget', id: 'crm' }, resume));
    };
    ws.onmessage = (m) => {
      if (this.ws !== ws) return;
      this.lastRx = this.now();
      this.receive(wire.decode(typeof m.data === 'string' ? m.data : ''));
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.lost(e && e.code, e && e.reason);
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  raw(text) {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(text);
      return true;
    } catch (e) {
      return false;
    }
  }

  send(c) {
    this.inflight.set(c.id, c);
    if (!this.raw(wire.cmd(c.id, c.name, c.args))) {
      this.inflight.delete(c.id);
      this.finish(c, new SdkError(Codes.DISCONNECTED, c.name + ': connection lost before sending'));
    }
  }

  finish(c, err, data) {
    if (c.timer) this.clearT(c.timer);
    if (err) c.reject(err);
    else c.resolve(data);
  }

  drop(code, reason) {
    const ws = this.ws;
    this.ws = null;
    this.welcomed = false;
    this.stopPing();
    this.link('down');
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try { ws.close(code, reason); } catch (e) { /* already closed */ }
    }
  }

  // lost handles the end of a connection: commands in flight fail (their
  // outcome is unknown), queued ones wait for the next connection.
  lost(code, reason) {
    const wasWelcomed = this.welcomed;
    this.welcomed = false;
    this.stopPing();
    this.link('down');
    for (const c of this.inflight.values()) this.finish(c, new SdkError(Codes.DISCONNECTED, c.name + ': connection lost, outcome unknown'));
    this.inflight.clear();
    if (this.stopped) return;
    if (wasWelcomed) this.attempt = 0;
    this.attempt++;
    const refused = code === wire.Close.POLICY;
    if (refused || this.attempt >= this.o.maxAttempts) {
      this.failAll(Codes.NOT_CONNECTED, 'connection failed');
      this.rejectSync('connection failed');
      this.setStatus('failed', { code: code || 0, reason: reason || (refused ? 'refused by server' : 'too many attempts') });
      return;
    }
    const delay = this.backoff(this.attempt);
    this.retryTimer = this.setT(() => this.open(), delay);
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting', { code: code || 0, reason: reason || '', retryIn: delay });
  }

  // backoff: exponential from backoffBase, capped, with "equal jitter"
  // (half fixed, half random) so a restart does not reconnect everyone at once.
  backoff(attempt) {
    const d = Math.min(this.o.backoffMax, this.o.backoffBase * Math.pow(2, attempt - 1));
    return Math.round(d / 2 + this.random() * (d / 2));
  }

  clearRetry() {
    if (this.retryTimer) this.clearT(this.retryTimer);
    this.retryTimer = null;
  }

  failAll(code, msg) {
    const q = this.queue;
    this.queue = [];
    for (const c of q) this.finish(c, new SdkError(code, c.name + ': ' + msg));
  }

  // reconnect now, resuming from what we have (a gap or a stale socket).
  restart(reason) {
    this.drop(4002, reason);
    this.lost(0, reason);
  }

  startPing(ms) {
    this.stopPing();
    const every = ms || this.o.pingInterval;
    const tick = () => {
      if (this.now() - this.lastRx > 2 * every + 5000) {
        this.restart('no traffic from server');
        return;
      }
      this.raw(wire.ping('p' + ++this.n));
      this.pingTimer = this.setT(tick, every);
    };
    this.pingTimer = this.setT(tick, every);
  }

  stopPing() {
    if (this.pingTimer) this.clearT(this.pingTimer);
    this.pingTimer = null;
  }

  receive(m) {
    if (!m) {
      this.events.emit('error', new SdkError(Codes.PROTOCOL, 'unreadable message from server'), false);
      return;
    }
    switch (m.type) {
      case 'welcome':
        return this.welcome(m);
      case 'event':
        return this.event(m.seq, m.data);
      case 'result': {
        const c = this.inflight.get(m.id);
        if (!c) return; // timed out already
        this.inflight.delete(m.id);
        if (m.ok) this.finish(c, null, m.data);
        else this.finish(c, toError(m.error || { code: 'internal', message: 'command failed' }));
        return;
      }
      case 'error': {
        const c = m.id && this.inflight.get(m.id);
        if (c) {
          this.inflight.delete(m.id);
          this.finish(c, toError(m.error));
          return;
        }
        this.events.emit('error', toError(m.error), false);
        return;
      }
      case 'relay':
        this.events.emit('relay', { name: m.name, from: m.from, to: m.to, data: m.data }, false);
        return;
    }
  }

  welcome(w) {
    const st = this.store;
    const stored = st.agent && st.agent.id;
    if (!w.snapshot && (w.epoch !== st.epoch || (w.agentId && stored && w.agentId !== stored))) {
      // resumed someone else's stream (another agent logged in in this tab)
      st.forget();
      this.restart('resume mismatch');
      return;
    }
    if (w.snapshot) {
      if (w.agentId && stored && w.agentId !== stored) st.popped = [];
      st.snapshot(w.epoch, w.seq, w.agent, w.contacts);
    }
    this.welcomed = true;
    this.everConnected = true;
    this.attempt = 0;
    this.startPing(w.pingMs);
    this.setStatus('connected', { resumed: !w.snapshot, replayed: w.replayed });
    if (w.snapshot) {
      this.events.emit('snapshot', { agent: this.agent(), contacts: this.contacts(), resumed: false, reason: this.resumed ? 'history_lost' : 'fresh' }, false);
    }
    this.replayLeft = w.snapshot ? 0 : w.replayed;
    if (this.replayLeft === 0) this.resolveReady();
    const q = this.queue;
    this.queue = [];
    for (const c of q) this.send(c);
    this.link('up');
  }

  link(how) {
    for (const h of this.linkHooks) {
      try { h[how](); } catch (e) { this.events.onError(e); }
    }
  }

  resolveReady() {
    this.readyRes(this.readyState());
    const ws = this.syncWaiters;
    this.syncWaiters = [];
    for (const x of ws) x.resolve(this.readyState());
  }

  event(seq, data) {
    if (!this.welcomed) return;
    const st = this.store;
    if (seq <= st.seq) return; // already delivered (replay overlap)
    const mine = st.agent && st.agent.id;
    if (mine && typeof data.agent === 'string' && data.agent && data.agent !== mine) {
      // another agent's stream (a new login in this tab resumed our point)
      st.forget();
      this.restart('agent changed');
      return;
    }
    if (seq !== st.seq + 1) {
      this.restart('gap: expected seq ' + (st.seq + 1) + ', got ' + seq);
      return;
    }
    st.apply(seq, data);
    this.events.emit(data.event, data, true);
    for (const h of this.hooks) {
      try { h(data); } catch (e) { this.events.onError(e); }
    }
    if (this.replayLeft > 0 && --this.replayLeft === 0) this.resolveReady();
  }
}
