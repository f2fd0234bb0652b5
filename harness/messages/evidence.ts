/**
 * What the fake server saw of each inbound message the harness sent, read from its record
 * (events `message-queued`, `message-sent`, `message-receipted`, `message-decrypt-failed`,
 * `message-answered`), matched to the harness's log by message id. The judge reads this, never the
 * bot's own word, like every other check.
 */
import type { ServerEvent } from '../../fake-server/events.js';
import type { RunRecord } from '../recorder/timeline.js';
import type { SentMessage } from './traffic.js';

export interface InboundEvidence extends SentMessage {
  /** Times the server held it for a device that was not open. */
  queued: number[];
  /** Each time the server wrote it to a bot connection (delivery and redelivery). */
  deliveries: { t: number; conn: number | null; offline: boolean; attempt: number }[];
  /** The bot's delivery receipts (an ack 487 on a redelivery counts: see `alreadyDecrypted`). */
  receipts: number[];
  /**
   * When the bot acked a redelivery with error 487 ("already decrypted"): it had decrypted these
   * bytes on an earlier connection without receipting them there.
   */
  alreadyDecrypted: number[];
  /** The bot's retry receipts (it could not decrypt). */
  decryptFailures: { t: number; retryCount: number }[];
  /** The bot's distinct answers to it, each at the first time the contact decrypted it. */
  answers: { t: number; id: string }[];
}

/** The message events of the server's record, with their detail as the contract gives it. */
export interface MessageEvent {
  t: number;
  type: string;
  conn: number | null;
  detail: { id?: string; from?: string; to?: string; text?: string; inReplyTo?: string; offline?: boolean; attempt?: number; retryCount?: number; duplicate?: boolean };
}

/** Every message event the server recorded in the run (whichever client it was attributed to: a queued message has no connection). */
export function messageEvents(run: RunRecord): MessageEvent[] {
  return run.timeline.flatMap((e) => (e.source === 'server' && isMessageEvent(e.event) ? [{ t: e.t, type: e.event.type as string, conn: e.event.conn, detail: (e.event.detail ?? {}) as MessageEvent['detail'] }] : []));
}

export const isMessageEvent = (e: Pick<ServerEvent, 'type'>): boolean => (e.type as string).startsWith('message-');

// Derived once per record (every invariant and the metrics read it), keyed by the timeline's length.
const derived = new WeakMap<RunRecord, { length: number; inbound: InboundEvidence[] }>();

/** The evidence of every message the harness sent in the run, in send order (empty without traffic). */
export function inboundEvidence(run: RunRecord): InboundEvidence[] {
  const hit = derived.get(run);
  if (hit && hit.length === run.timeline.length) return hit.inbound;
  const inbound = deriveInbound(run);
  derived.set(run, { length: run.timeline.length, inbound });
  return inbound;
}

function deriveInbound(run: RunRecord): InboundEvidence[] {
  const sent = run.traffic?.sent ?? [];
  const byId = new Map(sent.map((m) => [m.id, { ...m, queued: [], deliveries: [], receipts: [], alreadyDecrypted: [], decryptFailures: [], answers: [] } as InboundEvidence]));
  // An answer names what it answers (inReplyTo); one that does not is matched by quoting its text.
  const answered = (d: MessageEvent['detail']) => (d.inReplyTo !== undefined ? byId.get(d.inReplyTo) : [...byId.values()].find((m) => d.text?.includes(m.text)));
  for (const e of messageEvents(run)) {
    const d = e.detail;
    if (e.type === 'message-answered') {
      const m = answered(d);
      if (m && d.id !== undefined && !m.answers.some((a) => a.id === d.id)) m.answers.push({ t: e.t, id: d.id });
      continue;
    }
    const m = d.id !== undefined ? byId.get(d.id) : undefined;
    if (!m) continue;
    if (e.type === 'message-queued') m.queued.push(e.t);
    else if (e.type === 'message-sent') m.deliveries.push({ t: e.t, conn: e.conn, offline: !!d.offline, attempt: d.attempt ?? m.deliveries.length + 1 });
    else if (e.type === 'message-receipted') {
      m.receipts.push(e.t);
      if (d.duplicate) m.alreadyDecrypted.push(e.t);
    }
    else if (e.type === 'message-decrypt-failed') m.decryptFailures.push({ t: e.t, retryCount: d.retryCount ?? 0 });
  }
  return [...byId.values()];
}

/**
 * The bot's copies the server saw sealed with a Signal message key the bot had used for another
 * message (`message-key-reused`), from the given bot devices, by the end of the window.
 */
export function keyReuses(run: RunRecord, jids: string[]): number {
  return messageEvents(run).filter((e) => e.type === 'message-key-reused' && e.t <= run.end && e.detail.from !== undefined && jids.includes(e.detail.from)).length;
}

/**
 * The bot's messages each contact could never decrypt by the end of the window (recorded
 * `message-undecryptable`, never `message-answered` after): per contact jid, their ids, from the
 * given bot devices. An answer the contact cannot read is, for the judge, an answer never given.
 */
export function neverDecrypted(run: RunRecord, jids: string[]): Map<string, string[]> {
  const events = messageEvents(run).filter((e) => e.t <= run.end && e.detail.from !== undefined && jids.includes(e.detail.from));
  const decrypted = new Set(events.filter((e) => e.type === 'message-answered').map((e) => e.detail.id));
  const unread = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.type !== 'message-undecryptable' || !e.detail.id || !e.detail.to || decrypted.has(e.detail.id)) continue;
    if (!unread.has(e.detail.to)) unread.set(e.detail.to, new Set());
    unread.get(e.detail.to)!.add(e.detail.id);
  }
  return new Map([...unread].map(([to, ids]) => [to, [...ids]]));
}

/** When the bot handled the message: its first answer (answering bots) or its first receipt; undefined if not by the end. */
export function handledAt(m: InboundEvidence, answers: boolean): number | undefined {
  return answers ? m.answers[0]?.t : m.receipts[0];
}
