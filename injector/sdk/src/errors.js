// Typed errors: every rejected command Promise rejects with an SdkError
// carrying a stable `code` (engine codes pass through unchanged).
export class SdkError extends Error {
  constructor(code, message, details) {
    super(message || code);
    this.name = 'AgentDesktopError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

// Codes the engine returns (docs/protocol.md); they reach rejected
// Promises unchanged.
export const EngineCodes = {
  BAD_REQUEST: 'bad_request',
  NOT_FOUND: 'not_found',
  INVALID_STATE: 'invalid_state',
  UNSUPPORTED: 'unsupported',
  UNAVAILABLE: 'unavailable',
  FORBIDDEN: 'forbidden',
  UNKNOWN_COMMAND: 'unknown_command',
  INTERNAL: 'internal',
};

// Codes produced by the SDK itself.
export const Codes = {
  TIMEOUT: 'timeout', // no result within the command timeout
  NOT_CONNECTED: 'not_connected', // status failed / disconnected, or queueing disabled
  QUEUE_FULL: 'queue_full', // too many commands waiting for the connection
  DISCONNECTED: 'disconnected', // connection lost after the command was sent: outcome unknown
  BAD_ARGUMENT: 'bad_argument', // rejected by the SDK before sending
  PROTOCOL: 'protocol_error', // the server sent something we do not understand
};

export function toError(e) {
  if (e instanceof SdkError) return e;
  if (e && typeof e === 'object' && typeof e.code === 'string') return new SdkError(e.code, e.message);
  return new SdkError(Codes.PROTOCOL, String(e));
}
