/**
 * What the supervisor does after each kind of close. Codes are Baileys' DisconnectReason values.
 */
export type CloseAction =
  /** Reconnect at once with the same creds (515 after pairing, or a restart request). */
  | 'restart-now'
  /** Stop: the session is gone (401); a human must re-pair. Never loop. */
  | 'stop-repair'
  /** Stop: another instance owns the session (440); fighting it makes a ping-pong storm. */
  | 'stop-conflict'
  /** Back off and retry. */
  | 'backoff';

export interface ClosePolicyOptions {
  /** What to do on 440 (default: stop). */
  onConflict: 'stop' | 'backoff';
}

export function classifyClose(code: number | undefined, opts: ClosePolicyOptions): CloseAction {
  switch (code) {
    case 515:
      return 'restart-now';
    case 401:
      return 'stop-repair';
    case 440:
      return opts.onConflict === 'stop' ? 'stop-conflict' : 'backoff';
    default:
      // 408, 428, 500, 503, 411, 403, network errors, watchdog expiry (no code): back off.
      return 'backoff';
  }
}
