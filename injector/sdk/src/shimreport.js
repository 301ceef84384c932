// Reports the frame-busting shim's counters (window.__crmframe.stats) to
// the engine (op "report", docs/protocol.md) for crmframe_shim_actions_total:
// the increase since the last report, after each welcome, every 30 s and
// when the page is hidden or left. What a leaving page could not send goes
// to sessionStorage (Store.putShim) and the tab's next page sends it.
import * as wire from './transport.js';
import { SMap, keys } from './safe.js';

const EVERY = 30000; // periodic report while connected
const GAP = 12000; // the engine counts one report per 10 s per connection
const CAP = 10000; // the engine's cap per kind and report: the rest waits
const MAX_KINDS = 32; // bounded state, whatever the page puts in stats
const MAX_N = 1e6; // per kind
const isInt = Number.isInteger;
const min = Math.min;
const KIND = /^[A-Za-z][\w-]{0,31}$/;
const reTest = RegExp.prototype.test;
const ok = (k) => Reflect.apply(reTest, KIND, [k]);

export class ShimReporter {
  // stats() returns the shim's live counters (or nothing: no shim here).
  constructor(client, stats) {
    this.c = client;
    this.stats = stats;
    this.seen = new SMap(); // counter values already taken into pending
    this.pending = new SMap(); // taken, not sent yet
    this.sentOn = null; // the socket of the last report, and when
    this.sentAt = 0;
    this.timer = null;
    this.back();
    client.linkHooks.push(this);
  }

  add(k, n) {
    if (!ok(k) || !(n > 0) || (!this.pending.has(k) && this.pending.size >= MAX_KINDS)) return;
    this.pending.set(k, min(MAX_N, (this.pending.get(k) || 0) + n));
  }

  // collect moves the counters' increase since the last look into pending.
  collect() {
    let s, ks;
    try {
      s = this.stats();
      ks = s && typeof s === 'object' ? keys(s) : [];
    } catch (e) {
      return;
    }
    for (const k of ks) {
      let v;
      try { v = s[k]; } catch (e) { continue; }
      if (!ok(k) || !isInt(v) || v < 0 || (!this.seen.has(k) && this.seen.size >= MAX_KINDS)) continue;
      const was = this.seen.get(k) || 0;
      this.seen.set(k, v);
      if (v > was) this.add(k, v - was);
    }
  }

  // send reports pending counts when connected and the engine would count them.
  send() {
    const c = this.c;
    this.collect();
    if (!c.welcomed || !this.pending.size || (this.sentOn === c.ws && c.now() - this.sentAt < GAP)) return;
    const shim = {};
    for (const [k, n] of this.pending) shim[k] = min(n, CAP);
    if (!c.raw(wire.report(shim))) return;
    this.sentOn = c.ws;
    this.sentAt = c.now();
    for (const k of keys(shim)) {
      const left = this.pending.get(k) - shim[k];
      if (left > 0) this.pending.set(k, left);
      else this.pending.delete(k);
    }
  }

  // leave (pagehide): send if possible, hand the rest to the next page.
  leave() {
    this.send();
    if (this.pending.size) this.c.store.putShim(this.pending);
    this.pending.clear();
  }

  // back (start, and a page restored from the back-forward cache): take
  // over what a page left.
  back() {
    const s = this.c.store.takeShim();
    if (s) for (const k of keys(s)) if (isInt(s[k])) this.add(k, s[k]);
  }

  // up/down: Client.linkHooks, around each welcomed connection.
  up() {
    this.down();
    this.send();
    const tick = () => {
      this.send();
      this.timer = this.c.setT(tick, EVERY);
    };
    this.timer = this.c.setT(tick, EVERY);
  }

  down() {
    if (this.timer) this.c.clearT(this.timer);
    this.timer = null;
  }
}
