/**
 * The checks of a run with message traffic, in the style of harness/invariants.ts: each judged
 * per device from the server's record (a device shared by several clients is judged once, at its
 * first client), valid / invalid / unknown (never a pass). They apply only to runs with traffic.
 */
import type { Invariant, InvariantContext } from '../invariants.js';
import { silencesLink } from '../faults/silence.js';
import { machineTimeOnClock } from '../time/warp.js';
import { handledAt, inboundEvidence, keyReuses, neverDecrypted, type InboundEvidence } from './evidence.js';
import { messageFates, type Fate } from './fate.js';
import type { MessageJudge } from './traffic.js';

/** Real-world time a bot may take to handle a message while open (a judge setting), and the unscaled floor a decryption and an answer need. */
export const DEAF_AFTER_MS = 15_000;
export const MESSAGE_MACHINE_FLOOR_MS = 3_000;
/**
 * Baileys 6.7.x asks again for a message it could not decrypt only 5 s after the failure (a fixed
 * timer: it does not scale), so a message saved by the retry path cannot be handled sooner.
 */
export const BAILEYS_RETRY_DELAY_MS = 5_000;

/** The message judge at a time scale (or speed): the real-world allowance scaled, never below the machine's own floor plus Baileys' retry delay. */
export function messageJudge(scale: number, speed?: number, deafAfterMs = DEAF_AFTER_MS): MessageJudge {
  const ms = Math.max(deafAfterMs * scale, machineTimeOnClock(MESSAGE_MACHINE_FLOOR_MS, speed ?? 1) + BAILEYS_RETRY_DELAY_MS);
  return { graceMs: ms, deafAfterMs: ms };
}

const ms = (v: number) => `${v.toFixed(0)} ms`;

type Check = ReturnType<Invariant['check']>;

/** Judges the client's device once: another client on the same device (a copy of its session) defers to the first. */
function perDevice(ctx: InvariantContext, client: number, judge: (jid: string, clients: number[]) => Check): Check {
  const jid = ctx.run.jids[client]!;
  const first = ctx.run.jids.indexOf(jid);
  if (first !== client) return { verdict: 'valid', message: `same device as client ${first}: judged there` };
  const clients = ctx.run.jids.flatMap((j, i) => (j === jid ? [i] : []));
  return judge(jid, clients);
}

const toDevice = (ctx: InvariantContext, jid: string) => inboundEvidence(ctx.run).filter((m) => m.to === jid);
const judgeOf = (ctx: InvariantContext): MessageJudge => ctx.run.traffic!.judge;

/** Every message sent to the device is handled (receipted, or answered) by the end of the window (fate.ts). */
function notLost(name: string, answers: boolean, what: string): Invariant {
  return {
    name,
    check: (ctx, client) =>
      perDevice(ctx, client, (jid) => {
        const { graceMs } = judgeOf(ctx);
        const mine = messageFates(ctx.run, ctx.schedule, answers).filter((f) => f.message.to === jid);
        const of = (fate: Fate) => mine.filter((f) => f.fate === fate).map((f) => f.message);
        const [lost, late, excused] = [of('lost'), of('late'), of('not-expected')];
        const judged = lost.length + of('handled').length;
        const aside = `${late.length ? `; ${late.length} sent in the last ${ms(graceMs)}, not ${what} yet, not judged` : ''}${excused.length ? `; ${excused.length} sent too close to (or after) the device going rightly down, not expected to be ${what}` : ''}`;
        if (lost.length) {
          const m = lost[0]!;
          return { verdict: 'invalid', message: `${lost.length} of ${judged} message(s) never ${what} by the end of the window; first ${m.id} sent at ${ms(m.t - ctx.run.start)} (${m.deliveries.length ? `written to the bot ${m.deliveries.length} time(s)` : 'never written to the bot'})${aside}${lossCauses(ctx, jid, lost, answers)}` };
        }
        if (judged === 0) return { verdict: 'unknown', message: `no message sent early enough to judge (${mine.length} sent${aside})` };
        return { verdict: 'valid', message: `all ${judged} message(s) ${what}${aside}` };
      }),
  };
}

/**
 * The causes of losses the server can name from its record (README Findings), each a clause
 * starting with "; ": keys the bot reused, messages it decrypted and dropped (ack 487 on a
 * redelivery), and, for an answering bot, answers its contacts could never decrypt.
 */
function lossCauses(ctx: InvariantContext, jid: string, lost: InboundEvidence[], answers: boolean): string {
  // What the bot sealed with a used key its contacts cannot decrypt.
  const reused = keyReuses(ctx.run, [jid]);
  const why = reused ? `; the bot sealed ${reused} message(s) with a Signal message key it had used before (its contacts cannot decrypt them; README Findings: Baileys reuses message keys when it sends several messages at once)` : '';
  // The bot proved it had decrypted these (ack 487 on a redelivery) and never handled them.
  const held = lost.filter((x) => x.alreadyDecrypted.length).length;
  const dropped = held ? `; ${held} of them the bot acked on a redelivery as already decrypted (error 487): it decrypted them on a connection that closed before its receipt went out, and never handled them (README Findings: Baileys drops a message whose receipt fails)` : '';
  if (!answers) return why + dropped;
  // Answers the contacts could never read; each unreadable message covers at most one loss from its contact.
  const unread = neverDecrypted(ctx.run, [jid]);
  const lostFrom = new Map<string, number>();
  for (const x of lost) lostFrom.set(x.from, (lostFrom.get(x.from) ?? 0) + 1);
  const behind = [...lostFrom].reduce((n, [from, count]) => n + Math.min(count, unread.get(from)?.length ?? 0), 0);
  // The unreadable messages of the contacts named: those with a loss.
  const total = [...lostFrom.keys()].reduce((n, from) => n + (unread.get(from)?.length ?? 0), 0);
  const unreadable = behind ? `; ${behind} of them from contacts that never could decrypt ${total} message(s) the bot sent them (an answer the contact cannot read; README Findings: libsignal stores the ratchet a failed decrypt moved, and Baileys 7.0.0-rc14 resends such a message at most twice)` : '';
  return why + dropped + unreadable;
}

export const noInboundLost = notLost('no inbound message lost', false, 'receipted');
export const noAnswerLost = notLost('no answer lost', true, 'answered');

/** The connections of the device's clients the server saw open, with when each closed (or undefined: open at the end). */
function openSpans(ctx: InvariantContext, clients: number[]): { conn: number; open: number; close?: number }[] {
  const spans = new Map<number, { conn: number; open: number; close?: number }>();
  for (const e of ctx.run.timeline) {
    if (e.source !== 'server' || e.client === undefined || !clients.includes(e.client) || e.event.conn === null) continue;
    if (e.event.type === 'open') spans.set(e.event.conn, { conn: e.event.conn, open: e.t });
    if (e.event.type === 'closed' && spans.has(e.event.conn)) spans.get(e.event.conn)!.close ??= e.t;
  }
  return [...spans.values()].sort((a, b) => a.open - b.open);
}

/**
 * When the faults that silence the link (faults/silence.ts), aimed at these clients or at all,
 * were in force, merged: [applied, cleared], `Infinity` for one never cleared in the window. A
 * blackholed link keeps the connection open while nothing can arrive: that time is the fault's,
 * not the bot's. Other faults close the connection or leave it usable, and excuse nothing.
 */
export function faultSpans(ctx: InvariantContext, clients: number[]): [number, number][] {
  const spans: [number, number][] = [];
  for (const e of ctx.run.timeline) {
    if (e.source !== 'fault' || e.event.type !== 'fault-applied') continue;
    const index = (e.event as { index?: number }).index;
    const entry = index === undefined ? undefined : ctx.schedule[index];
    if (!entry || !silencesLink(entry)) continue;
    const target = entry.target ?? 'all';
    if (target !== 'all' && !clients.includes(target)) continue;
    const cleared = ctx.run.timeline.find((c) => c.source === 'fault' && c.event.type === 'fault-cleared' && (c.event as { index?: number }).index === index && c.t >= e.t)?.t;
    spans.push([e.t, cleared ?? Infinity]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of spans) {
    const last = merged.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/** The time by which a message that met the connection at `from` must be handled: `allowance` of fault-free time later. */
export function fairDeadline(from: number, allowance: number, spans: [number, number][]): number {
  let deadline = from + allowance;
  for (const [a, b] of spans) {
    if (b <= from) continue;
    if (a >= deadline) break;
    deadline += b - Math.max(a, from);
  }
  return deadline;
}

/**
 * After every reconnect (each open but the device's first), a connection that stays open must
 * handle what is sent to it: a message waiting or arriving while it is open, not handled within
 * `deafAfterMs` of fault-free time though the connection stayed open that long, is a zombie (open,
 * but deaf; time under a fault aimed at the client does not count: fairDeadline). A message it
 * handled in time counts for it even when the connection closed before that message's full
 * allowance ran out (a reconnect open 36 s with an allowance of 35 s, messages every 6 s: each was
 * answered, yet none had 35 s left on it, and the check used to say undecided). A reconnect closed
 * within the allowance cannot have been one; one that lasted it but met no message to judge (or
 * was cut by the end of the window) leaves the check undecided.
 */
export function notDeafAfterReconnect(answers: boolean): Invariant {
  const what = answers ? 'answered' : 'receipted';
  return {
    name: 'not deaf after a reconnect',
    check: (ctx, client) =>
      perDevice(ctx, client, (jid, clients) => {
        const { deafAfterMs } = judgeOf(ctx);
        const reopens = openSpans(ctx, clients).slice(1);
        if (reopens.length === 0) return { verdict: 'valid', message: 'never reconnected in the window' };
        const all = toDevice(ctx, jid);
        const faulted = faultSpans(ctx, clients);
        let judged = 0;
        let short = 0;
        const undecided: number[] = [];
        for (const [k, span] of reopens.entries()) {
          const until = Math.min(span.close ?? Infinity, ctx.run.end);
          let here = 0;
          for (const m of all) {
            const from = Math.max(m.t, span.open);
            const done = handledAt(m, answers);
            // This connection's to handle: sent while it was open, or written to it (a redelivery of one
            // sent before); unless handled before it opened, or not given the full allowance on it.
            const reached = m.t >= span.open || m.deliveries.some((d) => d.conn === span.conn);
            const deadline = fairDeadline(from, deafAfterMs, faulted);
            if (!reached || (done !== undefined && done < span.open)) continue;
            // Handled on this connection in time: it is not deaf, however soon it closed after.
            const handled = done !== undefined && done <= Math.min(deadline, until);
            // Not handled, and not given the full allowance on it: nothing to judge.
            if (!handled && deadline > until) continue;
            here++;
            if (!handled) {
              const underFault = deadline - from - deafAfterMs;
              return { verdict: 'invalid', message: `a zombie after reconnect ${k + 1}: connection ${span.conn} open from ${ms(span.open - ctx.run.start)}${span.close !== undefined ? ` to ${ms(span.close - ctx.run.start)}` : ' to the end'}, but ${m.id} (sent at ${ms(m.t - ctx.run.start)}) was not ${what} within ${ms(deafAfterMs)}${underFault > 0 ? ` of fault-free time (${ms(underFault)} under a fault not counted)` : ''}${done === undefined ? ', nor ever' : ` (only after ${ms(done - from)})`}` };
            }
          }
          judged += here;
          if (span.close !== undefined && span.close <= ctx.run.end && span.close - span.open < deafAfterMs) short++;
          else if (here === 0) undecided.push(k + 1);
        }
        const shortNote = short ? `; ${short} closed within the allowance` : '';
        if (undecided.length) return { verdict: 'unknown', message: `reconnect(s) ${undecided.join(', ')} of ${reopens.length}: open, but no message met the connection for ${ms(deafAfterMs)} before it closed or the window ended${shortNote}` };
        return { verdict: 'valid', message: `${reopens.length} reconnect(s): every message that met an open connection was ${what} within ${ms(deafAfterMs)} (${judged} judged${shortNote})` };
      }),
  };
}

export const noMessageHandledTwice: Invariant = {
  name: 'no message handled twice',
  check: (ctx, client) =>
    perDevice(ctx, client, (jid) => {
      const all = toDevice(ctx, jid);
      const twice = all.filter((m) => m.answers.length > 1);
      if (twice.length) return { verdict: 'invalid', message: `${twice.length} message(s) answered more than once; ${twice[0]!.id} ${twice[0]!.answers.length} times` };
      return { verdict: 'valid', message: `no message answered twice (${all.filter((m) => m.answers.length).length} answered)` };
    }),
};

/** The checks a run with traffic adds to its scenario's. */
export function messageInvariants(answers: boolean): Invariant[] {
  // Handling twice shows on the server only as two answers: a bot that does not answer is not checked for it.
  return [noInboundLost, ...(answers ? [noAnswerLost] : []), notDeafAfterReconnect(answers), ...(answers ? [noMessageHandledTwice] : [])];
}
