/**
 * Server-side failure moves, as plain data. A *move* acts on live connections (one or all); the
 * *admission policy* decides how the server treats connections that arrive from now on.
 * README's table maps each to the DisconnectReason every supported Baileys version reports.
 */
import { isCode, MoveValidationError } from './moves/move.js';

// One module per move in moves/; the union, the list and the parser are built from them there.
export { MOVE_KINDS, parseMove, type MoveKind, type ServerMove } from './moves/index.js';
export { MoveValidationError };

export interface AdmissionPolicy {
  /** Answer the HTTP upgrade with this status instead of switching protocols (as a proxy would). */
  rejectUpgrade?: number;
  /** Close the WebSocket after the ClientHello, before answering it. */
  closeMidHandshake?: boolean;
  /** Never answer the ClientHello (the client's connectTimeoutMs fires). */
  silentHandshake?: boolean;
  /** Answer a login with `<failure reason=R/>` instead of `<success>`. */
  refuseLogin?: number;
  /** Complete the handshake, answer pings, but never send `<success>`. */
  withholdSuccess?: boolean;
  /**
   * Milliseconds between the end of the handshake and the server's first transport frame.
   * 0 sends it at once, which loses it on Baileys 6.7.x (a real race, see protocol.md). The
   * default, 50 ms, is a short round trip of a real server: on loopback under load 5 ms was
   * not always enough, and 6.7.21 then threw out of its socket handler (a decrypt failure); in a
   * CI sim of the full suite on 2 cores 20 ms was not either (twice, in the conflict scenario).
   */
  postHandshakeDelayMs: number;
  /** Offset added to every timestamp the server sends (a server clock fault). */
  serverClockOffsetMs: number;
}

export const DEFAULT_ADMISSION: AdmissionPolicy = { postHandshakeDelayMs: 50, serverClockOffsetMs: 0 };

/** Validates a partial admission policy from untrusted input. */
export function parseAdmission(input: unknown): Partial<AdmissionPolicy> {
  if (typeof input !== 'object' || input === null) throw new MoveValidationError('an admission policy must be an object');
  const out: Partial<AdmissionPolicy> = {};
  for (const [k, v] of Object.entries(input)) {
    switch (k) {
      case 'rejectUpgrade':
      case 'refuseLogin':
        if (v !== null && !isCode(v)) throw new MoveValidationError(`"${k}" must be an HTTP-like status code or null`);
        if (v === null) out[k] = undefined;
        else out[k] = v;
        break;
      case 'closeMidHandshake':
      case 'silentHandshake':
      case 'withholdSuccess':
        if (typeof v !== 'boolean') throw new MoveValidationError(`"${k}" must be a boolean`);
        out[k] = v;
        break;
      case 'postHandshakeDelayMs':
      case 'serverClockOffsetMs':
        if (typeof v !== 'number' || !Number.isFinite(v) || (k === 'postHandshakeDelayMs' && v < 0)) throw new MoveValidationError(`"${k}" must be a finite number${k === 'postHandshakeDelayMs' ? ' ≥ 0' : ''}`);
        out[k] = v;
        break;
      default:
        throw new MoveValidationError(`unknown admission key "${k}"`);
    }
  }
  return out;
}
