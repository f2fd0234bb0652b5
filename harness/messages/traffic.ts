/**
 * Message traffic through a run: a steady rate of inbound text messages from contacts the fake
 * server simulates to every bot device, each contact and each gap chosen by the run's seed. The
 * harness keeps what it sent (id, time, from, to, text); whether the bot received, receipted or
 * answered it is read from the server's record (harness/messages/evidence.ts).
 */
import { Rng } from '../../core/random.js';
import type { Clock } from '../../core/clock.js';

/** A scenario's traffic (or the run's, from --messages/--answers): real-world rate. */
export interface MessageTraffic {
  /** Inbound messages per real-world minute to each bot device (scaled by the run's time scale like every duration). */
  perMinute: number;
  /** The bot answers each text (an echo bot): its answers are checked too. Receipts are checked for every bot. */
  answers?: boolean;
  /** How long, real-world ms, an open connection may leave a message unhandled before it is deaf (default 15 s; invariants.ts). */
  deafAfterMs?: number;
}

/** How long a bot has to handle a message once it could (measured ms): the judge's two message settings. */
export interface MessageJudge {
  /** A message sent this close to the end of the window is not judged lost (it is unknown). */
  graceMs: number;
  /** Open this long with a message unhandled ("zombie") is deaf. */
  deafAfterMs: number;
}

/** What the server side must offer the harness (FakeWhatsAppServer.messages). */
export interface MessageChannel {
  /** Contact JIDs the server simulates (the senders). */
  contacts(): string[];
  send(message: { from: string; to: string; text: string }): { id: string } | Promise<{ id: string }>;
}

export interface SentMessage {
  id: string;
  /** Harness clock, measured ms. */
  t: number;
  from: string;
  to: string;
  text: string;
}

/** The harness's own log of a run's traffic, kept in the run record. */
export interface TrafficLog {
  perMinute: number;
  answers: boolean;
  /** The allowance as given (real-world ms), when not the default. */
  deafAfterMs?: number;
  judge: MessageJudge;
  sent: SentMessage[];
  /** Sends the server refused (it threw, e.g. while restarting): never counted as sent. */
  refused: number;
}

/** The traffic a run gets: the run's own (CLI) over the scenario's; none without a rate. */
export function trafficFor(scenario: Partial<MessageTraffic> | undefined, run: Partial<MessageTraffic> | undefined): MessageTraffic | undefined {
  const merged = { ...scenario, ...run };
  if (!merged.perMinute || merged.perMinute <= 0) return undefined;
  return { perMinute: merged.perMinute, answers: !!merged.answers, ...(merged.deafAfterMs ? { deafAfterMs: merged.deafAfterMs } : {}) };
}

/** A message's text: unique in the run and never a prefix of another, so an answer quoting it is found by its text. */
export const messageText = (n: number) => `[chaos ${n}]`;

export interface TrafficRun {
  log(until: number): TrafficLog;
  stop(): void;
}

/**
 * Sends to every distinct device in `to`, one message each per tick; the mean gap is the rate
 * scaled to measured time, each gap jittered to 0.5–1.5 of it, every choice from `seed`.
 */
export function startTraffic(opts: { channel: MessageChannel; to: string[]; traffic: MessageTraffic; judge: MessageJudge; seed: number; scale: number; clock: Clock }): TrafficRun {
  const rng = new Rng(opts.seed);
  const devices = [...new Set(opts.to)];
  const contacts = opts.channel.contacts();
  if (contacts.length === 0) throw new TrafficNotAvailableError('Failed to send message traffic: the fake server simulates no contacts to send from.');
  const meanGap = (60_000 / opts.traffic.perMinute) * opts.scale;
  const sent: SentMessage[] = [];
  let refused = 0;
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    for (const to of devices) {
      const from = rng.pick(contacts);
      const text = messageText(++n);
      const t = opts.clock.now();
      try {
        const { id } = await opts.channel.send({ from, to, text });
        sent.push({ id, t, from, to, text });
      } catch {
        refused++;
      }
    }
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick(), meanGap * (0.5 + rng.next()));
    timer.unref?.();
  };
  schedule();
  return {
    log: (until) => ({ perMinute: opts.traffic.perMinute, answers: !!opts.traffic.answers, ...(opts.traffic.deafAfterMs ? { deafAfterMs: opts.traffic.deafAfterMs } : {}), judge: opts.judge, sent: sent.filter((m) => m.t <= until), refused }),
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** The fake server cannot carry messages (its messaging is missing): the run cannot be made, the bot is not blamed. */
export class TrafficNotAvailableError extends Error {
  override name = 'TrafficNotAvailableError';
}

/** The server's message API as a channel, or a clear error when the server has none. */
export function serverChannel(server: object): MessageChannel {
  const api = (server as { messages?: { send?: MessageChannel['send']; contacts?: () => (string | { jid: string })[] } }).messages;
  if (!api || typeof api.send !== 'function') throw new TrafficNotAvailableError('Failed to send message traffic: this fake server has no message API (server.messages.send).');
  const send = api.send.bind(api);
  // The server lists contacts as {jid, lid, name, devices}: the sender is the phone-number jid.
  const contacts = () => (typeof api.contacts === 'function' ? api.contacts().map((c) => (typeof c === 'string' ? c : c.jid)) : []);
  return { contacts, send };
}
