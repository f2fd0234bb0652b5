/**
 * What became of each message, by one rule the checks and the metrics share: handled (receipted,
 * or answered for an answering bot) by the end of the window; late (not yet, but sent within the
 * grace before the end: unknown); not expected (not handled, and its allowance ran into the moment
 * the device went rightly down — logged out, replaced, creds damaged); else lost.
 */
import type { Schedule } from '../faults/schedule.js';
import { clientEvidence, expectedDown } from '../recorder/evidence.js';
import type { RunRecord } from '../recorder/timeline.js';
import { handledAt, inboundEvidence, type InboundEvidence } from './evidence.js';

export type Fate = 'handled' | 'lost' | 'late' | 'not-expected';

/**
 * When the device stopped being expected to handle messages: every client of it rightly down at
 * the end, from its last close on; undefined if any is open or not down by design.
 */
export function deviceDownSince(run: RunRecord, schedule: Schedule, jid: string): number | undefined {
  const clients = run.jids.flatMap((j, i) => (j === jid ? [i] : []));
  const evs = clients.map((c) => clientEvidence(run, c));
  if (evs.some((ev, i) => ev.openAtEnd || !expectedDown(run, clients[i]!, schedule, ev))) return undefined;
  return Math.max(...evs.map((ev) => ev.closes.at(-1)?.t ?? run.start));
}

/** Every message the harness sent, with its fate; `answers`: handled means answered (default: as the run's bot declares). */
export function messageFates(run: RunRecord, schedule: Schedule, answers = !!run.traffic?.answers): { message: InboundEvidence; fate: Fate }[] {
  const traffic = run.traffic;
  if (!traffic) return [];
  const { graceMs } = traffic.judge;
  const down = new Map<string, number | undefined>();
  return inboundEvidence(run).map((message) => {
    if (!down.has(message.to)) down.set(message.to, deviceDownSince(run, schedule, message.to));
    const downAt = down.get(message.to);
    const fate: Fate =
      (handledAt(message, answers) ?? Infinity) <= run.end ? 'handled'
      : message.t > run.end - graceMs ? 'late'
      : downAt !== undefined && message.t > downAt - graceMs ? 'not-expected'
      : 'lost';
    return { message, fate };
  });
}
