/**
 * What the fake server saw of one client, read from its own record: every connection attempt
 * (even one refused before login, attributed by the client's own socket URL), opens, closes with
 * the code the server sent (absent when the client or the network ended it), QR registrations,
 * and the gaps between a close and the next attempt. The judge reads this, never a bot's opinion
 * of itself, so every kind of bot is judged the same way.
 */
import type { ServerEvent } from '../../fake-server/events.js';
import type { Schedule, ScheduleEvent } from '../faults/schedule.js';
import type { RunRecord } from './timeline.js';

export interface ServerClose {
  t: number;
  conn: number;
  /** The close code the server's move implied (401, 440, 503, ...); absent: the client or the network ended it. */
  code?: number;
  why: string;
  /** The connection had reached `open` (logged in and active). */
  wasOpen: boolean;
  /**
   * A 440 that a newer login of this same client caused (its own new connection replaced one the
   * server still held, e.g. after packets were lost): the connection that replaced it.
   */
  replacedByOwn?: number;
}

export interface ClientEvidence {
  /** Connection attempts: an upgrade the server accepted or rejected. */
  attempts: number[];
  opens: number[];
  closes: ServerClose[];
  /** Logins refused, with the reason sent. */
  refusals: { t: number; reason: number }[];
  /** Registrations: the client presented no session and asked for a QR (a re-pair). */
  registrations: number[];
  /** Gaps between a close and the next attempt, in order, with how many failed attempts preceded it. */
  gaps: { t: number; ms: number; failures: number; afterCode?: number }[];
  /** Was a connection of this client open when the window ended? */
  openAtEnd: boolean;
  /** Its connections open when the window ended. */
  openConnsAtEnd: number[];
  /** The most connections of this client's device open at once (any client's). */
  maxOpenPerDevice: number;
}

/** A connection attempt, as the server sees one: an upgrade it accepted or rejected. */
export const isAttempt = (e: Pick<ServerEvent, 'type'>): boolean => e.type === 'ws-open' || e.type === 'upgrade-rejected';

/** The server's events of one client, or of every client (and none) when `client` is undefined. */
const serverEventsOf = (run: RunRecord, client: number | undefined): ServerEvent[] =>
  run.timeline.flatMap((e) => (e.source === 'server' && (client === undefined || e.client === client) ? [e.event] : []));

// Every invariant reads the same client's evidence: derive it once per record and client. Keyed
// by the timeline's length too, so a record still growing is never answered from a stale scan.
const derived = new WeakMap<RunRecord, Map<number, { length: number; evidence: ClientEvidence }>>();

export function clientEvidence(run: RunRecord, client: number): ClientEvidence {
  let perClient = derived.get(run);
  if (!perClient) derived.set(run, (perClient = new Map()));
  const hit = perClient.get(client);
  if (hit && hit.length === run.timeline.length) return hit.evidence;
  const evidence = deriveEvidence(run, client);
  perClient.set(client, { length: run.timeline.length, evidence });
  return evidence;
}

function deriveEvidence(run: RunRecord, client: number): ClientEvidence {
  const events = serverEventsOf(run, client);
  const attempts: number[] = [];
  const opens: number[] = [];
  const closes: ServerClose[] = [];
  const refusals: { t: number; reason: number }[] = [];
  const registrations: number[] = [];
  const gaps: ClientEvidence['gaps'] = [];
  const openConns = new Set<number>();
  const own = new Set<number>();
  const replacedBy = new Map<number, number>();
  let failures = 0;
  let lastClose: ServerClose | undefined;
  for (const e of events) {
    if (e.type === 'ws-open') own.add(e.conn!);
    if (isAttempt(e)) {
      attempts.push(e.t);
      if (lastClose) gaps.push({ t: e.t, ms: e.t - lastClose.t, failures, ...(lastClose.code !== undefined ? { afterCode: lastClose.code } : {}) });
      lastClose = undefined;
      if (e.type === 'upgrade-rejected') {
        failures++;
        lastClose = { t: e.t, conn: -1, code: (e.detail?.status as number | undefined) ?? 0, why: 'upgrade rejected', wasOpen: false };
        closes.push(lastClose);
      }
    } else if (e.type === 'open') {
      opens.push(e.t);
      openConns.add(e.conn!);
    } else if (e.type === 'closed') {
      const wasOpen = !!e.detail?.wasOpen;
      const code = e.detail?.code as number | undefined;
      const by = replacedBy.get(e.conn!);
      const close: ServerClose = { t: e.t, conn: e.conn!, why: String(e.detail?.why ?? ''), wasOpen, ...(code !== undefined ? { code } : {}), ...(code === 440 && by !== undefined && own.has(by) ? { replacedByOwn: by } : {}) };
      closes.push(close);
      openConns.delete(e.conn!);
      failures = wasOpen ? 0 : failures + 1;
      lastClose = close;
    } else if (e.type === 'stanza' && e.detail?.replacedBy !== undefined) {
      replacedBy.set(e.conn!, Number(e.detail.replacedBy));
    } else if (e.type === 'login-refused') {
      refusals.push({ t: e.t, reason: Number(e.detail?.reason) });
    } else if (e.type === 'registration') {
      registrations.push(e.t);
    }
  }
  return { attempts, opens, closes, refusals, registrations, gaps, openAtEnd: openConns.size > 0, openConnsAtEnd: [...openConns], maxOpenPerDevice: maxOpenPerDevice(run, client) };
}

/** Server side, across every client on the same device: the most of its connections open at once. */
function maxOpenPerDevice(run: RunRecord, client: number): number {
  const jid = run.jids[client];
  let max = 0;
  const live = new Set<number>();
  for (const e of run.timeline) {
    if (e.source !== 'server' || e.event.jid !== jid) continue;
    const conn = e.event.conn!;
    if (e.event.type === 'open') live.add(conn);
    // A connection the server replaced (a newer login of the device) no longer counts, though its
    // close arrives a moment later: WhatsApp hands over, it does not hold two open.
    if (e.event.type === 'closed' || (e.event.type === 'stanza' && e.event.detail?.replacedBy !== undefined)) live.delete(conn);
    max = Math.max(max, live.size);
  }
  return max;
}

/**
 * Was a connection of the client (of any client, when undefined) open at time t, by the server's
 * record? `connected`: accepted and not yet closed, open or still logging in.
 */
export function openAt(run: RunRecord, client: number | undefined, t: number, what: 'open' | 'connected' = 'open'): boolean {
  const live = new Set<number>();
  const opened = what === 'open' ? 'open' : 'ws-open';
  for (const e of serverEventsOf(run, client)) {
    if (e.t > t) break;
    if (e.type === opened) live.add(e.conn!);
    if (e.type === 'closed') live.delete(e.conn!);
  }
  return live.size > 0;
}

/** The first close the server sent with `code` to the client (a 401 close or a login refused with 401), if any. */
export function firstTerminal(ev: ClientEvidence, code: number): number | undefined {
  const times = [...ev.closes.filter((c) => c.code === code).map((c) => c.t), ...ev.refusals.filter((r) => r.reason === code).map((r) => r.t)];
  return times.length ? Math.min(...times) : undefined;
}

/** Why a client is rightly not open at the end: a terminal close, or a crash that damaged its session. */
export function expectedDown(run: RunRecord, client: number, schedule: Schedule, ev: ClientEvidence = clientEvidence(run, client)): string | undefined {
  if (firstTerminal(ev, 401) !== undefined) return 'logged out (401)';
  // Replaced by its own newer login is no reason to be down: it is that newer connection.
  if (ev.closes.some((c) => c.code === 440 && c.replacedByOwn === undefined)) return 'replaced by another instance (440)';
  // A crash that damaged its creds, with no login since: refusing the damaged store is right.
  const damaged = killsOf(run, client, schedule).find((k) => k.corrupt && !ev.opens.some((t) => t >= k.t));
  if (damaged) return `its creds were damaged by a crash (${damaged.corrupt})`;
  return undefined;
}

/** The kills that hit the client (the schedule's `kill` entries aimed at it or at all), with what they damaged. */
export function killsOf(run: RunRecord, client: number, schedule: Schedule): { t: number; corrupt?: string }[] {
  return run.timeline.flatMap((e) => {
    if (e.source !== 'fault') return [];
    const f = e.event as ScheduleEvent;
    const entry = schedule[f.index];
    const applies = f.type === 'fault-applied' && f.fault === 'kill' && [client, 'all'].includes(entry?.target ?? 'all');
    const corrupt = (entry?.params as { corrupt?: string } | undefined)?.corrupt;
    return applies ? [{ t: e.t, ...(corrupt ? { corrupt } : {}) }] : [];
  });
}
