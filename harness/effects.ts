/**
 * The effect a scenario exists to provoke, proven from the server's record: keepalive-timeout
 * exists to make the client's keep-alive declare a silent link dead (a 408), stream-errors to make
 * the server's codes reach the client. A run where the effect never appeared proved nothing about
 * the bot: its verdict is `unknown` with the reason, never `valid` (an invalid stays invalid: a
 * failure seen is seen).
 */
import type { InvariantContext, InvariantResult } from './invariants.js';
import type { ScheduleEntry } from './faults/schedule.js';
import { openAt } from './recorder/evidence.js';

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
      const testable = windows.filter((w) => openAt(ctx.run, undefined, w.from));
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
      if (at === undefined || !openAt(ctx.run, undefined, at)) continue;
      tested++;
      const delivered = serverEvents(ctx).some((s) => s.t >= at && s.event.type === 'closed' && s.event.detail?.wasOpen && (code === undefined || s.event.detail?.code === code));
      if (!delivered) return `${code !== undefined ? `stream error ${code}` : 'the end of the stream'} (entry #${i}) was sent to an open connection but it never closed${code !== undefined ? ' with that code' : ''}`;
    }
    return tested ? undefined : 'no stream error or end of stream was sent while a connection was open';
  },
};

/** What a fault needs to act on: an open connection, any connection (even mid-login), or nothing (it waits for the next attempt). */
type Needs = 'open' | 'connected' | 'nothing';

/** A fault stamped once its API answered (a proxy disabled) may have cut connections a moment before its stamp. */
const STAMP_GRACE_MS = 1_000;

type ServerEntry = ReturnType<typeof serverEvents>[number];

/**
 * Each scheduled fault of a kind shows its effect in the server's record between the moment it was
 * applied and the moment it cleared (an instant fault: until the next fault or the end). A fault
 * that needs a live connection to act on (`needs`) proves nothing when none was open: it is not
 * counted, and a run where no fault could be tested is missing the effect.
 */
export function eachFaultShows(spec: { name: string; faults: (e: ScheduleEntry) => boolean; needs: (e: ScheduleEntry) => Needs; /** Absent: meeting a live connection is all that can be shown. */ seen?: (s: ServerEntry, e: ScheduleEntry) => boolean; lacking: string }): Effect {
  return {
    name: spec.name,
    missing(ctx) {
      let tested = 0;
      for (const [i, e] of ctx.schedule.entries()) {
        if (!spec.faults(e)) continue;
        const at = faultTimes(ctx, i, 'fault-applied');
        if (at === undefined) continue;
        const from = at - STAMP_GRACE_MS;
        const need = spec.needs(e);
        if (need !== 'nothing' && !openAt(ctx.run, undefined, from, need) && !openAt(ctx.run, undefined, at, need)) continue;
        // An instant fault's window ends when a later-scheduled fault begins (not one scheduled at the same moment).
        const next = ctx.schedule.flatMap((n, j) => (n.at > e.at ? [faultTimes(ctx, j, 'fault-applied') ?? Infinity] : []));
        const to = faultTimes(ctx, i, 'fault-cleared') ?? Math.min(ctx.run.end, ...next);
        tested++;
        if (spec.seen && !serverEvents(ctx).some((s) => s.t >= from && s.t <= to && spec.seen!(s, e))) return `fault #${i} (${e.fault}) was applied but ${spec.lacking} before ${e.duration !== undefined ? 'it cleared' : 'the next fault'}`;
      }
      return tested ? undefined : 'no such fault met a live client: none was applied while a connection was open or an attempt could meet it';
    },
  };
}

/** Something the run as a whole exists to provoke (a 440 between two instances of one bot). */
export function runShows(name: string, seen: (s: ServerEntry) => boolean, lacking: string): Effect {
  return { name, missing: (ctx) => (serverEvents(ctx).some(seen) ? undefined : lacking) };
}

const closedOpen = (s: ServerEntry) => s.event.type === 'closed' && !!s.event.detail?.wasOpen;
const isAdmission = (key: string) => (e: ScheduleEntry) => e.fault === 'admission' && e.params?.[key] !== undefined;

/** A cut (a server restart, the proxy down) closed the connection that was open. */
export const cutClosesOpen = (fault: 'server-restart' | 'proxy-down'): Effect =>
  eachFaultShows({
    name: `each ${fault} closed the connection open at the time`,
    faults: (e) => e.fault === fault,
    needs: () => 'open',
    seen: closedOpen,
    lacking: 'no open connection closed',
  });

/** A kill cut the process's connection (a crash, not a close): whether it comes back is what the invariants judge, since refusing to start on damaged creds is right. */
export const killCutsConnection: Effect = eachFaultShows({
  name: 'each kill of a connected process ended its connection with no code from the server',
  faults: (e) => e.fault === 'kill',
  needs: () => 'connected',
  seen: (s) => s.event.type === 'closed' && s.event.detail?.code === undefined,
  lacking: 'no connection ended',
});

/** Logins refused while the overload lasted: the bot met the refusal it is judged on. */
export const loginsRefused: Effect = eachFaultShows({
  name: 'each overload refused at least one login with its code',
  faults: isAdmission('refuseLogin'),
  needs: () => 'nothing',
  seen: (s, e) => s.event.type === 'login-refused' && s.event.detail?.reason === e.params?.refuseLogin,
  lacking: 'no login was refused',
});

/** A 401 reached the bot: a logged-out close of its open connection, or a login refused with 401. */
export const loggedOutDelivered: Effect = eachFaultShows({
  name: 'each invalidation reached the bot as a 401 (a close or a refused login)',
  faults: (e) => (e.fault === 'server-move' && e.params?.kind === 'logged-out') || (e.fault === 'admission' && e.params?.refuseLogin === 401),
  needs: (e) => (e.fault === 'server-move' ? 'connected' : 'nothing'),
  seen: (s) => (s.event.type === 'closed' && s.event.detail?.code === 401) || (s.event.type === 'login-refused' && s.event.detail?.reason === 401),
  lacking: 'no 401 reached the bot',
});

/** A login that cannot complete was attempted: an upgrade rejected or a <success> withheld. */
export const loginHung: Effect = eachFaultShows({
  name: 'each hanging-login window met an attempt (upgrade rejected or <success> withheld)',
  faults: (e) => isAdmission('rejectUpgrade')(e) || isAdmission('withholdSuccess')(e),
  needs: () => 'nothing',
  seen: (s) => s.event.type === 'upgrade-rejected' || s.event.type === 'success-withheld',
  lacking: 'no attempt met it',
});

/** The race window was exercised: a login completed with no post-handshake delay. */
export const racyLogin: Effect = eachFaultShows({
  name: 'a login completed inside each no-delay window (the race was exercised)',
  faults: (e) => e.fault === 'admission' && e.params?.postHandshakeDelayMs === 0,
  needs: () => 'nothing',
  seen: (s) => s.event.type === 'success-sent',
  lacking: 'no login completed',
});

/** Two instances of one session met: the server replaced one with a 440. */
export const conflictSeen: Effect = runShows('a 440 replaced one instance of the session', (s) => s.event.type === 'closed' && s.event.detail?.code === 440, 'the server never replaced a connection with 440: the two instances never met');

/**
 * For faults with no single decisive server-side sign (latency, partial loss, a client's clock): the
 * fault was applied while a connection was open, so it acted on a live client. Weaker than the others
 * by design, and named so in reports.
 */
export const metLiveClient: Effect = eachFaultShows({
  name: 'a fault was applied while a connection was open (no single server-side sign for this kind)',
  faults: () => true,
  needs: () => 'open',
  lacking: 'nothing',
});
