/**
 * The effect a scenario exists to provoke, proven from the server's record: keepalive-timeout
 * exists to make the client's keep-alive declare a silent link dead (a 408), stream-errors to make
 * the server's codes reach the client. A run where the effect never appeared proved nothing about
 * the bot: its verdict is `unknown` with the reason, never `valid` (an invalid stays invalid: a
 * failure seen is seen).
 */
import type { InvariantContext, InvariantResult } from './invariants.js';
import type { ScheduleEntry } from './faults/schedule.js';

export interface Effect {
  /** What must appear, in a line: "a 408 during a blackhole ...". */
  name: string;
  /** Undefined when the record shows it; else why it did not appear. */
  missing(ctx: InvariantContext): string | undefined;
}

export const effectInvariantName = (effect: Effect) => `the fault had its effect: ${effect.name}`;

export function judgeEffect(effect: Effect, ctx: InvariantContext): InvariantResult {
  const why = effect.missing(ctx);
  return { invariant: effectInvariantName(effect), client: -1, verdict: why ? 'unknown' : 'valid', message: why ?? 'seen in the server\'s record' };
}

const serverEvents = (ctx: InvariantContext) => ctx.run.timeline.flatMap((e) => (e.source === 'server' ? [e] : []));
const faultTimes = (ctx: InvariantContext, index: number, type: 'fault-applied' | 'fault-cleared') => ctx.run.timeline.find((e) => e.source === 'fault' && e.event.type === type && e.event.index === index)?.t;

/** Open at time t by the server's record: its last open or close of an open connection before t was an open. */
function openAt(ctx: InvariantContext, client: number | undefined, t: number): boolean {
  let open = false;
  for (const e of serverEvents(ctx)) {
    if (e.t >= t) break;
    if (client !== undefined && e.client !== client) continue;
    if (e.event.type === 'open') open = true;
    else if (e.event.type === 'closed' && e.event.detail?.wasOpen) open = false;
  }
  return open;
}

/**
 * A silent link declared dead: for every silencing entry that began while a connection was open,
 * the server saw that connection closed from the client's side (not by a server move: no code it
 * sent) before the link came back. A close only after the link returned is the client noticing the
 * end of the silence (a 428), not its keep-alive.
 */
export function silenceDeclaredDead(isSilence: (e: ScheduleEntry) => boolean): Effect {
  return {
    name: 'a silent link declared dead by the client (a 408) while it was silent',
    missing(ctx) {
      const windows = ctx.schedule.flatMap((e, i) => {
        const from = faultTimes(ctx, i, 'fault-applied');
        return isSilence(e) && from !== undefined ? [{ i, from, to: faultTimes(ctx, i, 'fault-cleared') ?? ctx.run.end }] : [];
      });
      if (!windows.length) return 'no silencing fault was applied';
      const testable = windows.filter((w) => openAt(ctx, undefined, w.from));
      if (!testable.length) return `no connection was open when any silence began (${windows.length} window(s)): none could be declared dead`;
      for (const w of testable) {
        const closed = serverEvents(ctx).some((e) => e.t >= w.from && e.t < w.to && e.event.type === 'closed' && e.event.detail?.wasOpen && e.event.detail?.code === undefined);
        if (!closed) return `silence #${w.i} (${Math.round(w.to - w.from)} ms measured) began on an open connection, which the client did not close before the link returned: no 408 appeared (a silence shorter than the keep-alive's detection time, 2 × interval + 5 s, cannot show one)`;
      }
      return undefined;
    },
  };
}

/** The server's codes reached the client: each stream error it was told to send closed an open connection with that code. */
export const streamErrorsDelivered: Effect = {
  name: 'each stream error (or end of stream) the schedule sends closes the open connection, with its code',
  missing(ctx) {
    let tested = 0;
    for (const [i, e] of ctx.schedule.entries()) {
      const kind = e.fault === 'server-move' ? e.params?.kind : undefined;
      if (kind !== 'stream-error' && kind !== 'end-stream') continue;
      const code = kind === 'stream-error' ? (e.params!.code as number) : undefined;
      const at = faultTimes(ctx, i, 'fault-applied');
      if (at === undefined || !openAt(ctx, undefined, at)) continue;
      tested++;
      const delivered = serverEvents(ctx).some((s) => s.t >= at && s.event.type === 'closed' && s.event.detail?.wasOpen && (code === undefined || s.event.detail?.code === code));
      if (!delivered) return `${code !== undefined ? `stream error ${code}` : 'the end of the stream'} (entry #${i}) was sent to an open connection but it never closed${code !== undefined ? ' with that code' : ''}`;
    }
    return tested ? undefined : 'no stream error or end of stream was sent while a connection was open';
  },
};
