// Built-ins captured when the bundle starts. crmframe injects it first in
// <head>, so these are the browser's own; a legacy CRM may replace the
// globals later (a JSON or Promise polyfill, timer or Object.assign
// wrappers, `var URL = '…'`, its own Map), and the SDK must not care.
const G = typeof window !== 'undefined' ? window : globalThis;
const J = JSON;
const R = Reflect.apply;
const con = G.console;

export const SPromise = Promise;
export const SMap = Map;
export const SSet = Set;
export const SURL = URL;
export const assign = Object.assign;
export const keys = Object.keys;
export const parse = J.parse;
const str = J.stringify;
// (no calls here: a second load of the bundle runs this in a page that may
// already be hostile, before finding the running SDK)
const ST = setTimeout;
const CT = clearTimeout;
export const setT = (f, ms) => R(ST, G, [f, ms]);
export const clearT = (t) => R(CT, G, [t]);

// log never throws (a page may set console = {}).
export function log(kind, ...a) {
  try { R(con[kind], con, a); } catch (e) { /* no console */ }
}

// A toJSON put on a built-in prototype after start (Prototype.js 1.6:
// Array#toJSON and Date#toJSON return JSON text, so JSON.stringify encodes
// arrays twice) is skipped: the value serialises as the pristine built-in
// would. A page object's own toJSON is honoured.
const isProto = Object.prototype.isPrototypeOf;
const pt = (C) => [C.prototype, C.prototype.toJSON];
// most specific first: Object.prototype is in every chain
const TJ = [pt(Date), pt(Array), pt(String), pt(Number), pt(Boolean), pt(Object)];
function skipPatched(k, v) {
  const o = this[k];
  const f = o !== null && (typeof o === 'object' || typeof o === 'function') ? o.toJSON : undefined;
  if (typeof f === 'function') {
    for (const [p, orig] of TJ) {
      if (f === p.toJSON && f !== orig && R(isProto, p, [o])) return orig ? R(orig, o, [k]) : o;
    }
  }
  return v;
}

export function stringify(v) {
  return str(v, skipPatched);
}
