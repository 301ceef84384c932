import vm from 'node:vm';

// Test doubles: a manual clock and a scriptable fake WebSocket.
export class Clock {
  constructor() {
    this.t = 1_000_000;
    this.timers = [];
    this.n = 0;
    this.setTimeout = (f, ms) => {
      const id = ++this.n;
      this.timers.push({ id, at: this.t + Math.max(0, ms | 0), f });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers = this.timers.filter((x) => x.id !== id);
    };
    this.now = () => this.t;
  }

  // advance runs every timer due within ms, in time order.
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const x = this.timers[0];
      if (!x || x.at > end) break;
      this.timers.shift();
      this.t = x.at;
      x.f();
    }
    this.t = end;
  }

  // next returns the delay until the next timer.
  next() {
    this.timers.sort((a, b) => a.at - b.at);
    return this.timers.length ? this.timers[0].at - this.t : -1;
  }
}

export function fakeWebSocketClass() {
  class FakeWS {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.closed = null;
      FakeWS.all.push(this);
    }
    send(t) {
      if (this.readyState !== 1) throw new Error('not open');
      this.sent.push(JSON.parse(t));
    }
    close(code, reason) {
      this.readyState = 3;
      this.closed = { code, reason };
    }
    // server side
    open() {
      this.readyState = 1;
      this.onopen && this.onopen({});
    }
    recv(obj) {
      this.onmessage && this.onmessage({ data: typeof obj === 'string' ? obj : JSON.stringify(obj) });
    }
    drop(code = 1006, reason = '') {
      this.readyState = 3;
      this.onclose && this.onclose({ code, reason });
    }
    last(op) {
      return this.sent.filter((m) => !op || m.op === op).slice(-1)[0];
    }
  }
  FakeWS.all = [];
  FakeWS.latest = () => FakeWS.all[FakeWS.all.length - 1];
  return FakeWS;
}

export class MemStorage {
  constructor() { this.m = new Map(); }
  getItem(k) { return this.m.has(k) ? this.m.get(k) : null; }
  setItem(k, v) { this.m.set(k, String(v)); }
  removeItem(k) { this.m.delete(k); }
}

export const flush = () => new Promise((r) => setImmediate(r));

export function welcome(extra) {
  return Object.assign({ op: 'welcome', v: 1, session: 's1', epoch: 'e1', seq: 0, snapshot: true, replayed: 0,
    agent: { id: 'a1', state: 'LOGGEDOUT', since: 1 }, contacts: [], limits: { ping_interval_ms: 25000 } }, extra || {});
}

export function contactEvent(seq, event, extra) {
  return { op: 'event', seq, data: Object.assign({ event, time: 1000 + seq, id: 'k1', uuid: 'u1', type: 'inbound', media_type: 'telephony', job_type: 'inbound', isACD: true, ani: '+39 06 1234', state: 'offered', agent: 'a1' }, extra || {}) };
}

// shimRealm runs a fake DOM (source text) and then shim.js in the window w,
// whose setTimeout pushes [fn, ms] into timers. run(code) evaluates in the
// realm; tick(ms) runs the shim's timers of that delay, as if that time
// passed.
export function shimRealm(w, dom, shim, timers) {
  vm.createContext(w);
  vm.runInContext(dom, w);
  vm.runInContext(shim, w, { filename: 'shim.js' });
  const tick = (ms) => {
    const due = timers.filter((t) => t[1] === ms);
    for (const t of due) timers.splice(timers.indexOf(t), 1);
    due.forEach((t) => t[0]());
  };
  const run = (code) => vm.runInContext(code, w);
  return { run, tick };
}
