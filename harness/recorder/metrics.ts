/**
 * Recovery metrics, defined once (README "Metrics") and used by every report:
 * - detectMs: a fault applied → the client's first close after it.
 * - recoverMs: the last fault cleared → the client open for good (its last open of the window),
 *   confirmed by a server-side open of the same device after the clear; 0 if it rode the fault
 *   out; null when it was not open at the end of the window (unknown or invalid, never a pass).
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

/** A client's last open, close or stop: where its connection stands (open, down, or stopped for good). */
export function lastConnectionEvent(events: readonly SupervisorEvent[]): SupervisorEvent | undefined {
  return events.filter((e) => e.type === 'open' || e.type === 'close' || e.type === 'stopped').at(-1);
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
  const settled = lastConnectionEvent(own);
  if (lastClear && settled?.type === 'open') {
    // Open for good from its last open on. Before the last fault cleared: it rode the fault out
    // (or came back during it), if the server agrees the device was open then. After: recovered
    // then, if the server saw the same device log in again after the clear. An instantaneous fault
    // (a stream error) "clears" as it is applied, so its close and reopen both count.
    if (settled.t <= lastClear.t) recoverMs = serverOpenAt(server, lastClear.t) ? 0 : null;
    else if (server.some((e) => e.type === 'open' && e.t >= lastClear.t)) recoverMs = settled.t - lastClear.t;
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
