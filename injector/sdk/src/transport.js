// The wire format of the crmframe agent WebSocket (docs/protocol.md,
// engine/wire). This is the only module that knows the envelope: the rest
// of the SDK works with the normalised messages decode() returns.
import { stringify, parse } from './safe.js';

export const VERSION = 1;

// wsURL builds the endpoint: <origin><prefix>/ws[?token=…].
export function wsURL(loc, prefix, token) {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  let u = proto + '//' + loc.host + prefix.replace(/\/+$/, '') + '/ws';
  if (token) u += '?token=' + encodeURIComponent(token);
  return u;
}

export function hello(client, resume) {
  const m = { op: 'hello', v: VERSION, client };
  if (resume && resume.epoch) m.resume = { epoch: resume.epoch, seq: resume.seq };
  return stringify(m);
}

export function cmd(id, name, args) {
  return stringify({ op: 'cmd', id, name, args: args || {} });
}

export function relay(name, data, to) {
  const m = { op: 'relay', name, data: data === undefined ? null : data };
  if (to) m.to = to;
  return stringify(m);
}

// report: the shim's counts since the last report (kind → n).
export function report(shim) {
  return stringify({ op: 'report', shim });
}

export function ping(id) {
  return stringify({ op: 'ping', id });
}

// decode returns one of
//   {type:'welcome', epoch, seq, snapshot, agent, contacts, agentId, replayed, pingMs}
//   {type:'event', seq, data}
//   {type:'result', id, ok, data, error}
//   {type:'relay', name, from, to, data}
//   {type:'pong', id}
//   {type:'error', id, error}
// or null for anything it cannot read.
export function decode(text) {
  let m;
  try {
    m = parse(text);
  } catch (e) {
    return null;
  }
  if (!m || typeof m !== 'object') return null;
  switch (m.op) {
    case 'welcome': {
      const lim = m.limits || {};
      const agentId = m.agent_id || (m.agent && m.agent.id) || '';
      return {
        type: 'welcome', epoch: String(m.epoch || ''), seq: +m.seq || 0, snapshot: !!m.snapshot,
        agent: m.agent || null, contacts: Array.isArray(m.contacts) ? m.contacts : [],
        agentId, replayed: +m.replayed || 0, pingMs: +lim.ping_interval_ms || 0, session: m.session || '',
      };
    }
    case 'event':
      if (typeof m.seq !== 'number' || !m.data || typeof m.data.event !== 'string') return null;
      return { type: 'event', seq: m.seq, data: m.data };
    case 'result':
      return { type: 'result', id: String(m.id), ok: !!m.ok, data: m.data, error: m.error || null };
    case 'relay':
      if (typeof m.name !== 'string') return null;
      return { type: 'relay', name: m.name, from: m.from || '', to: m.to || '', data: m.data };
    case 'pong':
      return { type: 'pong', id: m.id };
    case 'error':
      return { type: 'error', id: m.id || '', error: m.error || { code: 'protocol_error', message: 'error' } };
  }
  return null;
}

// Close codes the server uses (engine/hub.go).
export const Close = {
  RESTART: 1012, // server reload/shutdown: reconnect and resume
  POLICY: 1008, // refused (too many connections)
  SLOW: 4000, // we were too slow: reconnect and resume
  HELLO_TIMEOUT: 4001,
};
