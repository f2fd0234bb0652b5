/**
 * Message metrics of a run, all clients together, from the server's record of the messages the
 * harness sent (README "Message traffic"):
 * - sent: distinct inbound ids the harness sent; delivered: written to the bot at least once;
 *   receipted: receipted by the bot; answered: answered by the bot (distinct inbound ids each).
 * - lost: sent but not receipted (for an answering bot: not answered) by the end of the window,
 *   leaving out those sent within the grace before the end (unknown) and those whose allowance ran
 *   into the device going rightly down, e.g. logged out (notExpected): fate.ts.
 * - duplicated: inbound ids answered more than once.
 * - decryptFailures: inbound ids the bot sent a retry receipt for, and how they ended.
 * - keyReused: the bot's copies sealed with a Signal message key it had used before (its contacts
 *   cannot decrypt them: message-key-reused).
 * - offline: inbound ids the server queued because the device was not open (the bot was down),
 *   how many of them it delivered at a later login (marked offline), and how many were handled.
 * - firstHandledAfterLastFaultMs: the last fault event → the first answer (or receipt) after it.
 * Times are measured ms here; reports divide them by the time scale.
 */
import { handledAt, keyReuses } from './evidence.js';
import { messageFates } from './fate.js';
import type { Schedule } from '../faults/schedule.js';
import type { RunRecord } from '../recorder/timeline.js';

export interface MessageMetrics {
  /** Real-world messages per minute to each device, and whether the bot was checked for answers. */
  perMinute: number;
  answers: boolean;
  /** The deaf allowance as given (--deaf-after), real-world ms; absent: the default. */
  deafAfterMs?: number;
  sent: number;
  delivered: number;
  receipted: number;
  answered: number;
  lost: number;
  /** Not handled, but sent within the grace before the end: not judged. */
  unknown: number;
  /** Not handled, sent too close to (or after) the device going rightly down (logged out, replaced). */
  notExpected: number;
  duplicated: number;
  /** Sends the server refused (not counted as sent). */
  refused: number;
  decryptFailures: { messages: number; receiptedAfterRetry: number; notReceipted: number };
  /** Copies the bot sealed with a message key it had used before (message-key-reused). Absent in reports written before it was counted. */
  keyReused?: number;
  /** Queued while the device was down; delivered at a later login; handled (receipted, or answered) by the end. Absent in reports written before it was counted. */
  offline?: { queued: number; deliveredAtLogin: number; handled: number };
  /** null: no fault, or nothing handled after the last one. */
  firstHandledAfterLastFaultMs: number | null;
  /** The lost messages' ids (marked on the report's timelines). */
  lostIds: string[];
}

export function messageMetrics(run: RunRecord, schedule: Schedule = []): MessageMetrics | undefined {
  const traffic = run.traffic;
  if (!traffic) return undefined;
  const fates = messageFates(run, schedule);
  const all = fates.map((f) => f.message);
  const count = (fate: string) => fates.filter((f) => f.fate === fate).length;
  const within = (t: number | undefined) => t !== undefined && t <= run.end;
  const failed = all.filter((m) => m.decryptFailures.length > 0);
  const retried = failed.filter((m) => m.receipts.some((t) => t > m.decryptFailures[0]!.t && t <= run.end));
  const queued = all.filter((m) => m.queued.some((t) => t <= run.end));
  const handledIds = new Set(fates.filter((f) => f.fate === 'handled').map((f) => f.message.id));
  const lastFault = run.timeline.filter((e) => e.source === 'fault').at(-1)?.t;
  const handled = fates.filter((f) => f.fate === 'handled').map((f) => handledAt(f.message, traffic.answers)!);
  const after = lastFault === undefined ? [] : handled.filter((t) => t >= lastFault);
  return {
    perMinute: traffic.perMinute,
    answers: traffic.answers,
    ...(traffic.deafAfterMs ? { deafAfterMs: traffic.deafAfterMs } : {}),
    sent: all.length,
    delivered: all.filter((m) => m.deliveries.some((d) => d.t <= run.end)).length,
    receipted: all.filter((m) => within(m.receipts[0])).length,
    answered: all.filter((m) => within(m.answers[0]?.t)).length,
    lost: count('lost'),
    unknown: count('late'),
    notExpected: count('not-expected'),
    duplicated: all.filter((m) => m.answers.filter((a) => a.t <= run.end).length > 1).length,
    refused: traffic.refused,
    decryptFailures: { messages: failed.length, receiptedAfterRetry: retried.length, notReceipted: failed.length - retried.length },
    keyReused: keyReuses(run, [...new Set(run.jids)]),
    offline: {
      queued: queued.length,
      deliveredAtLogin: queued.filter((m) => m.deliveries.some((d) => d.offline && d.t > m.queued[0]! && d.t <= run.end)).length,
      handled: queued.filter((m) => handledIds.has(m.id)).length,
    },
    firstHandledAfterLastFaultMs: after.length ? Math.min(...after) - lastFault! : null,
    lostIds: fates.filter((f) => f.fate === 'lost').map((f) => f.message.id),
  };
}
