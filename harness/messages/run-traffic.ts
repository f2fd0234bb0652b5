/**
 * Message traffic as one run uses it: started once every client is open, kept up through the
 * faults, and — because a window may end the moment the last client is open again — observed a
 * little longer so that what waited for the bot (and something sent after its last reconnect) can
 * be judged. A run without a rate gets none of this and behaves as before.
 */
import type { Clock } from '../../core/clock.js';
import type { Invariant } from '../invariants.js';
import { messageInvariants, messageJudge } from './invariants.js';
import { serverChannel, startTraffic, trafficFor, type MessageTraffic, type TrafficLog } from './traffic.js';

export interface RunTraffic {
  invariants: Invariant[];
  /** Keeps observing until the last reconnect can be judged (the bot's allowance plus a gap between messages). */
  tail(live: () => void): Promise<void>;
  stop(): void;
  log(end: number): TrafficLog;
}

/** Derived from the run's printed seed, apart from the seeds of the schedule and the clients. */
const trafficSeed = (seed: number) => (seed ^ 0x6d736773) >>> 0;

export function beginTraffic(opts: { scenario?: Partial<MessageTraffic>; run?: Partial<MessageTraffic>; server: object; jids: string[]; seed: number; scale: number; speed?: number; clock: Clock }): RunTraffic | undefined {
  const traffic = trafficFor(opts.scenario, opts.run);
  if (!traffic) return undefined;
  const judge = messageJudge(opts.scale, opts.speed, traffic.deafAfterMs);
  const sending = startTraffic({ channel: serverChannel(opts.server), to: opts.jids, traffic, judge, seed: trafficSeed(opts.seed), scale: opts.scale, clock: opts.clock });
  const longestGap = 1.5 * (60_000 / traffic.perMinute) * opts.scale;
  return {
    invariants: messageInvariants(!!traffic.answers),
    async tail(live) {
      const until = opts.clock.now() + judge.deafAfterMs + longestGap + 500;
      for (live(); opts.clock.now() < until; live()) await new Promise((r) => setTimeout(r, 50));
    },
    stop: () => sending.stop(),
    log: (end) => sending.log(end),
  };
}
