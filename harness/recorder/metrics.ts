/**
 * Recovery metrics, defined once (README "Metrics") and used by every report:
 * - detectMs: a fault applied → the client's first close after it.
 * - recoverMs: the last fault cleared → the client open again, confirmed by a server-side open of
 *   the same device after it (null when the window ended first: unknown, never a pass).
 * - attempts, delaysMs: the supervisor's connection attempts and the backoff delays it chose.
 * - availability: share of the window the client was open.
 * - qrRePairs: QR codes the client showed (a transient fault must cause none).
 * - sessionsLost: the client stopped for a store error, or had to re-pair.
 * - maxOpenPerDevice: the most connections of the device open at once, server-side (must be 1).
 */
import type { ServerEvent } from '../../fake-server/events.js';
import type { ScheduleEvent } from '../faults/schedule.js';
import type { SupervisorEvent } from '../supervisor/supervisor.js';
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
  stopped?: string;
}

export function clientMetrics(run: RunRecord, client: number): ClientMetrics {
  const own = run.timeline.filter((e) => e.source === 'client' && e.client === client).map((e) => e.event as SupervisorEvent);
  const faults = run.timeline.filter((e) => e.source === 'fault').map((e) => e.event as ScheduleEvent);
  const server = run.timeline.filter((e) => e.source === 'server' && e.client === client).map((e) => e.event as ServerEvent);

  const detectMs = faults
    .filter((f) => f.type === 'fault-applied')
    .flatMap((f) => {
      const close = own.find((e) => e.type === 'close' && e.t >= f.t);
      return close ? [close.t - f.t] : [];
    });

  const lastClear = faults.filter((f) => f.type === 'fault-cleared' || (f.type === 'fault-applied' && !faults.some((g) => g.type === 'fault-cleared' && g.index === f.index))).at(-1);
  let recoverMs: number | null = null;
  if (lastClear) {
    // Already open when the last fault cleared (it rode the fault out, or came back during it):
    // recovered at once, if the server agrees the device had an open connection then.
    if (isOpenAt(own, lastClear.t) && serverOpenAt(server, lastClear.t)) recoverMs = 0;
    else {
      const reopened = own.find((e) => e.type === 'open' && e.t >= lastClear.t);
      if (reopened && server.some((e) => e.type === 'open' && e.t >= lastClear.t)) recoverMs = reopened.t - lastClear.t;
    }
  }

  let openSince: number | undefined;
  let openTotal = 0;
  for (const e of own) {
    if (e.type === 'open') openSince = Math.max(e.t, run.start);
    if ((e.type === 'close' || e.type === 'stopped') && openSince !== undefined) {
      openTotal += e.t - openSince;
      openSince = undefined;
    }
  }
  if (openSince !== undefined) openTotal += run.end - openSince;

  let open = 0;
  let maxOpen = 0;
  for (const e of server) {
    if (e.type === 'open') maxOpen = Math.max(maxOpen, ++open);
    if (e.type === 'closed' && e.detail?.wasOpen) open--;
  }
  const stopped = own.find((e) => e.type === 'stopped') as { reason: string } | undefined;
  return {
    client,
    detectMs,
    recoverMs,
    attempts: own.filter((e) => e.type === 'attempt').length,
    delaysMs: own.flatMap((e) => (e.type === 'decision' && e.delayMs !== undefined ? [e.delayMs] : [])),
    availability: openTotal / Math.max(1, run.end - run.start),
    qrRePairs: own.filter((e) => e.type === 'qr').length,
    sessionsLost: stopped?.reason === 'store-error' || own.some((e) => e.type === 'qr') ? 1 : 0,
    maxOpenPerDevice: maxOpen,
    ...(stopped ? { stopped: stopped.reason } : {}),
  };
}

/** Did the server have an open connection of the device at time t? */
function serverOpenAt(events: ServerEvent[], t: number): boolean {
  let open = 0;
  for (const e of events) {
    if (e.t > t) break;
    if (e.type === 'open') open++;
    if (e.type === 'closed' && e.detail?.wasOpen) open--;
  }
  return open > 0;
}

/** Was the client open at time t (its last open/close before t was an open)? */
function isOpenAt(events: { type: string; t: number }[], t: number): boolean {
  const last = events.filter((e) => e.t <= t && (e.type === 'open' || e.type === 'close' || e.type === 'stopped')).at(-1);
  return last?.type === 'open';
}
