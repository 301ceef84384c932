// The live snapshot (agent + active contacts) and the resume point, kept in
// sessionStorage so that the next CRM page of this tab resumes where this
// one stopped and knows the current contact before it even connects.

import { SMap, SSet, assign, keys, parse, stringify } from './safe.js';

export const AGENT_EVENTS = ['LOGGEDIN', 'PAUSE', 'PAUSESUBSTATE', 'FORCED', 'LOGGEDOUT'];
const EVENT_ONLY = ['event', 'time', 'phase', 'changed', 'message'];
const MAX_MESSAGES = 50;
const MAX_POPPED = 50;

export class Store {
  constructor(storage, key) {
    this.storage = storage || null;
    this.key = key;
    this.clear();
  }

  clear() {
    this.epoch = '';
    this.seq = 0;
    this.agent = null;
    this.contacts = new SMap();
    this.popped = [];
  }

  // load restores a previous page's state; it reports whether there was one.
  load() {
    if (!this.storage) return false;
    let s;
    try {
      s = parse(this.storage.getItem(this.key) || 'null');
    } catch (e) {
      s = null;
    }
    // contacts not an array: written by an older SDK under Prototype 1.6's
    // Array#toJSON (JSON text): not resumable, a snapshot follows
    if (!s || s.v !== 1 || typeof s.epoch !== 'string' || typeof s.seq !== 'number' || !Array.isArray(s.contacts)) return false;
    this.epoch = s.epoch;
    this.seq = s.seq;
    this.agent = s.agent || null;
    this.contacts = new SMap(s.contacts.filter((c) => c && c.id).map((c) => [c.id, c]));
    this.popped = Array.isArray(s.popped) ? s.popped.slice(-MAX_POPPED) : [];
    return true;
  }

  save() {
    if (!this.storage) return;
    const s = { v: 1, epoch: this.epoch, seq: this.seq, agent: this.agent, contacts: [...this.contacts.values()], popped: this.popped };
    try {
      this.storage.setItem(this.key, stringify(s));
    } catch (e) {
      /* quota or disabled storage: resume then falls back to a snapshot */
    }
  }

  forget() {
    this.clear();
    if (this.storage) {
      try { this.storage.removeItem(this.key); } catch (e) { /* ignore */ }
    }
  }

  // putShim adds shim counts a leaving page could not send (a Map) to
  // those stored for the tab's next page; takeShim takes them out, so that
  // one page sends them. Their own key: other frames of the tab save().
  putShim(m) {
    const s = this.takeShim() || {};
    for (const [k, n] of m) s[k] = (s[k] || 0) + n > 1e6 ? 1e6 : (s[k] || 0) + n;
    if (!this.storage) return;
    try { this.storage.setItem(this.key + ':shim', stringify(s)); } catch (e) { /* quota: lost */ }
  }

  takeShim() {
    if (!this.storage) return null;
    try {
      const s = parse(this.storage.getItem(this.key + ':shim') || 'null');
      this.storage.removeItem(this.key + ':shim');
      return s && typeof s === 'object' && !Array.isArray(s) ? s : null;
    } catch (e) {
      return null;
    }
  }

  resumePoint() {
    return this.epoch ? { epoch: this.epoch, seq: this.seq } : null;
  }

  // snapshot replaces everything (fresh connection or history lost).
  snapshot(epoch, seq, agent, contacts) {
    this.epoch = epoch;
    this.seq = seq;
    this.agent = agent ? assign({}, agent) : null;
    this.contacts = new SMap();
    for (const c of contacts) if (c && c.id) this.contacts.set(c.id, assign({}, c));
    const live = new SSet(this.contacts.keys());
    this.popped = this.popped.filter((id) => live.has(id));
    this.save();
  }

  // apply folds one event into the snapshot and advances the resume point.
  apply(seq, ev) {
    this.seq = seq;
    if (AGENT_EVENTS.indexOf(ev.event) >= 0) {
      const a = assign({}, this.agent || {});
      a.id = ev.agent || a.id;
      if (ev.name) a.name = ev.name;
      a.state = ev.state || ev.event;
      // as in the engine's agent object: absent when not set (not 0 / '')
      for (const k of ['code', 'label', 'reason']) {
        if (ev[k]) a[k] = ev[k];
        else delete a[k];
      }
      if (ev.time) a.since = ev.time;
      this.agent = a;
    } else if (ev.id) {
      if (ev.event === 'JOBFINISHED') {
        this.contacts.delete(ev.id);
      } else {
        // Every contact event carries the whole contact: replace, do not
        // merge, so that a field the engine dropped (parties after a
        // cancelled consult, peer) does not linger.
        const old = this.contacts.get(ev.id);
        const c = {};
        for (const k of keys(ev)) if (EVENT_ONLY.indexOf(k) < 0) c[k] = ev[k];
        c.messages = old && old.messages ? old.messages.slice() : [];
        if (ev.message) {
          c.messages.push(ev.message);
          if (c.messages.length > MAX_MESSAGES) c.messages.splice(0, c.messages.length - MAX_MESSAGES);
        }
        c.last_event = ev.event;
        this.contacts.set(ev.id, c);
      }
    }
    this.save();
  }

  // markPopped records a screen-pop; false when it was already done.
  markPopped(id) {
    if (this.popped.indexOf(id) >= 0) return false;
    this.popped.push(id);
    if (this.popped.length > MAX_POPPED) this.popped.shift();
    this.save();
    return true;
  }

  // reread picks up what another frame of this tab stored (same origin).
  popDone(id) {
    if (this.storage) {
      try {
        const s = parse(this.storage.getItem(this.key) || 'null');
        if (s && Array.isArray(s.popped) && s.popped.indexOf(id) >= 0) return true;
      } catch (e) { /* ignore */ }
    }
    return this.popped.indexOf(id) >= 0;
  }
}
