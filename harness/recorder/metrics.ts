/**
 * Recovery metrics, defined once (README "Metrics") and used by every report, all from the
 * server's record of the client (harness/recorder/evidence.ts), the same for every kind of bot:
 * - detectMs: a fault applied → the client's first close after it (server side).
 * - recoverMs: the last fault cleared → the client open for good (its last open of the window);
 *   0 if it rode the fault out; null when it was not open at the end of the window.
 * - attempts: connection attempts the server saw; delaysMs: observed gaps from a close to the
 *   next attempt.
 * - availability: share of the window a connection of the client was open.
 * - qrRePairs: registrations (the client asked to pair anew: a QR); sessionsLost: 1 if any.
 * - maxOpenPerDevice: the most connections of the device open at once (must be 1).
 * - selfReported: what the bot said about itself (the reference supervisor's attempts and stop),
 *   shown beside the evidence, never judged.
 */
import type { Schedule, ScheduleEvent } from '../faults/schedule.js';
import { clientEvidence, expectedDown, openAt } from './evidence.js';
import type { RunRecord } from './timeline.js';

export interface ClientMetrics {
  client: number;
  detectMs: number[];
  recoverMs: number | null;
  attempts: number;
  delaysMs: number[];
  availability: number;
  qrRePairs: number;
  sessionsLost: number;
  maxOpenPerDevice: number;
  /** Why the client is rightly down at the end (logged out, replaced, creds damaged by a crash): left out of recovery percentiles. */
  downByDesign?: string;
  /** The bot's own account, if it gave one: never used for a verdict. */
  selfReported?: { attempts: number; stopped?: string };
}

/** A client's last open, close or stop: where its connection stands by its own account. */
export function lastConnectionEvent<E extends { type: string }>(events: readonly E[]): E | undefined {
  return events.filter((e) => e.type === 'open' || e.type === 'close' || e.type === 'stopped').at(-1);
}

export function clientMetrics(run: RunRecord, client: number, schedule: Schedule = []): ClientMetrics {
  const ev = clientEvidence(run, client);
  const down = ev.openAtEnd ? undefined : expectedDown(run, client, schedule, ev);
  const faults = run.timeline.filter((e) => e.source === 'fault').map((e) => e.event as ScheduleEvent);
  const own = run.timeline.flatMap((e) => (e.source === 'client' && e.client === client ? [e.event as { type: string; reason?: string }] : []));

  const detectMs = faults
    .filter((f) => f.type === 'fault-applied')
    .flatMap((f) => {
      const close = ev.closes.find((c) => c.t >= f.t);
      return close ? [close.t - f.t] : [];
    });

  const lastClear = faults.filter((f) => f.type === 'fault-cleared' || (f.type === 'fault-applied' && !faults.some((g) => g.type === 'fault-cleared' && g.index === f.index))).at(-1);
  let recoverMs: number | null = null;
  if (!lastClear) recoverMs = ev.openAtEnd ? 0 : null;
  else if (ev.openAtEnd) {
    // Open for good from its last open on: before the last fault cleared, it rode the fault out
    // (an instantaneous fault such as a stream error "clears" as it is applied, so its close and
    // reopen count); after, it recovered then.
    const lastOpen = ev.opens.at(-1)!;
    const closedAfter = ev.closes.some((c) => c.t >= lastClear.t && c.wasOpen);
    if (lastOpen <= lastClear.t) recoverMs = openAt(run, client, lastClear.t) && !closedAfter ? 0 : null;
    else recoverMs = lastOpen - lastClear.t;
  }

  let openSince: number | undefined;
  let openTotal = 0;
  const live = new Set<number>();
  for (const e of run.timeline) {
    if (e.source !== 'server' || e.client !== client) continue;
    if (e.event.type === 'open') {
      if (live.size === 0) openSince = Math.max(e.t, run.start);
      live.add(e.event.conn!);
    } else if (e.event.type === 'closed' && live.delete(e.event.conn!) && live.size === 0 && openSince !== undefined) {
      openTotal += Math.max(0, e.t - openSince);
      openSince = undefined;
    }
  }
  if (openSince !== undefined) openTotal += run.end - openSince;

  const stopped = own.find((e) => e.type === 'stopped');
  const selfAttempts = own.filter((e) => e.type === 'attempt').length;
  return {
    client,
    detectMs,
    recoverMs,
    attempts: ev.attempts.length,
    delaysMs: ev.gaps.map((g) => g.ms),
    availability: Math.min(1, openTotal / Math.max(1, run.end - run.start)),
    qrRePairs: ev.registrations.length,
    sessionsLost: ev.registrations.length > 0 ? 1 : 0,
    maxOpenPerDevice: ev.maxOpenPerDevice,
    ...(down ? { downByDesign: down } : {}),
    ...(own.length ? { selfReported: { attempts: selfAttempts, ...(stopped?.reason ? { stopped: stopped.reason } : {}) } } : {}),
  };
}
