/**
 * Server-side failure moves, as plain data. A *move* acts on live connections (one or all); the
 * *admission policy* decides how the server treats connections that arrive from now on.
 * README's table maps each to the DisconnectReason every supported Baileys version reports.
 */
export type ServerMove =
  /** Stop answering and sending (frames are read and dropped): keep-alive declares 408. */
  | { kind: 'silence' }
  /** Undo `silence`. */
  | { kind: 'resume' }
  /** `<stream:error code=X/>` then close: 515 restart required, 503, 500, 401, ... */
  | { kind: 'stream-error'; code: number }
  /** `<stream:error><TAG/></stream:error>` with no code (e.g. `bad-mac`): Baileys maps the child. */
  | { kind: 'stream-error-child'; child: string }
  /** `<stream:error><conflict type="replaced"/>`: another instance took over (440). */
  | { kind: 'conflict' }
  /** `<stream:error code="401"><conflict type="device_removed"/>`; the device is removed. */
  | { kind: 'logged-out' }
  /** `<xmlstreamend/>` then a WebSocket close: the server ended the stream (428). */
  | { kind: 'end-stream' }
  /** A WebSocket close frame and nothing else. */
  | { kind: 'ws-close' }
  /** The TCP connection destroyed with no close frame (a crash, a NAT dropping state). */
  | { kind: 'drop' }
  /** `<failure reason=R/>` on a live connection. */
  | { kind: 'failure'; reason: number }
  /** `<ib><downgrade_webclient/></ib>` (411). */
  | { kind: 'downgrade' };

export type MoveKind = ServerMove['kind'];

export const MOVE_KINDS: readonly MoveKind[] = [
  'silence',
  'resume',
  'stream-error',
  'stream-error-child',
  'conflict',
  'logged-out',
  'end-stream',
  'ws-close',
  'drop',
  'failure',
  'downgrade',
];

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
   * default, 20 ms, is about one round trip of a real server: on loopback under load 5 ms was
   * not always enough, and 6.7.21 then threw out of its socket handler (a decrypt failure).
   */
  postHandshakeDelayMs: number;
  /** Offset added to every timestamp the server sends (a server clock fault). */
  serverClockOffsetMs: number;
}

export const DEFAULT_ADMISSION: AdmissionPolicy = { postHandshakeDelayMs: 20, serverClockOffsetMs: 0 };

export class MoveValidationError extends Error {
  override name = 'MoveValidationError';
}

const isCode = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 100 && (v as number) <= 999;

/** Validates untrusted input (control API, schedule files) into a ServerMove. */
export function parseMove(input: unknown): ServerMove {
  if (typeof input !== 'object' || input === null) throw new MoveValidationError('a move must be an object like {"kind":"silence"}');
  const m = input as Record<string, unknown>;
  switch (m.kind) {
    case 'silence':
    case 'resume':
    case 'conflict':
    case 'logged-out':
    case 'end-stream':
    case 'ws-close':
    case 'drop':
    case 'downgrade':
      return { kind: m.kind };
    case 'stream-error':
      if (!isCode(m.code)) throw new MoveValidationError('"stream-error" needs "code", an integer status such as 515');
      return { kind: 'stream-error', code: m.code };
    case 'failure':
      if (!isCode(m.reason)) throw new MoveValidationError('"failure" needs "reason", an integer status such as 401');
      return { kind: 'failure', reason: m.reason };
    case 'stream-error-child':
      if (typeof m.child !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(m.child)) throw new MoveValidationError('"stream-error-child" needs "child", a tag name such as "bad-mac"');
      return { kind: 'stream-error-child', child: m.child };
    default:
      throw new MoveValidationError(`unknown move kind ${JSON.stringify(m.kind)}; known: ${MOVE_KINDS.join(', ')}`);
  }
}

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
