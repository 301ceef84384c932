// Listener registry shared by on/off/once and bindContactCallback: one list,
// so callbacks run in registration order whatever name they listen to.
import { log } from './safe.js';

export class Emitter {
  constructor(onError) {
    this.l = [];
    this.onError = onError || ((e) => log('error', '[AGENTDESKTOP] listener failed:', e));
  }

  on(name, fn, once) {
    if (typeof fn !== 'function') throw new TypeError('listener must be a function');
    const x = { name: String(name), fn, once: !!once };
    this.l.push(x);
    // removes this registration, not another one of the same fn
    return () => {
      const i = this.l.indexOf(x);
      if (i >= 0) this.l.splice(i, 1);
    };
  }

  has(name, fn) {
    return this.l.some((x) => x.name === name && x.fn === fn);
  }

  // off(name, fn) removes one registration; off(name) all for that name.
  off(name, fn) {
    for (let i = this.l.length - 1; i >= 0; i--) {
      const x = this.l[i];
      if (x.name === String(name) && (!fn || x.fn === fn)) {
        this.l.splice(i, 1);
        if (fn) break;
      }
    }
  }

  // emit calls listeners of `name` and, for engine events (wild = true),
  // the '*' listeners; a throwing listener never stops the others.
  emit(name, payload, wild) {
    const list = this.l.slice();
    for (const x of list) {
      if (x.name !== name && !(wild && x.name === '*')) continue;
      if (x.once) {
        const i = this.l.indexOf(x);
        if (i < 0) continue;
        this.l.splice(i, 1);
      } else if (this.l.indexOf(x) < 0) {
        continue; // removed by an earlier listener of this same emit
      }
      try {
        x.fn(payload);
      } catch (e) {
        this.onError(e);
      }
    }
  }
}
