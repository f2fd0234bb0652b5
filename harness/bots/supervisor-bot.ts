/**
 * The reference supervisor (or a user's subclass of it) as a bot: in the harness process, or — the
 * reference one only — each client in its own process under a process manager (RespawningClient),
 * for scenarios that kill clients or shape their packets.
 */
import { RespawningClient } from '../drivers/respawning-client.js';
import { Rng } from '../../core/random.js';
import { openSessionStore } from '../session/index.js';
import { Supervisor, type SupervisorOptions } from '../supervisor/supervisor.js';
import { BotSetupError, saidStopped, type Bot, type BotClient, type BotClientContext, type BotReport } from './bot.js';
import type { EventStream } from '../../core/event-stream.js';

export type SupervisorClass = new (opts: SupervisorOptions) => Supervisor;

export function supervisorBot(Impl: SupervisorClass = Supervisor, path?: string): Bot {
  const reference = Impl === Supervisor;
  return {
    label: reference ? 'reference' : `supervisor ${path ?? Impl.name}`,
    flags: reference ? [] : path ? [`--supervisor ${path}`] : [],
    where: reference ? 'either' : 'in-process',
    store: 'any',
    declaresPolicy: true,
    clockFaults: true,
    killable: reference,
    client(ctx: BotClientContext): BotClient {
      if (ctx.ownProcess) {
        if (!reference) throw new BotSetupError(`Failed to run ${Impl.name} in its own process: a Supervisor subclass runs in the harness process only. Test it on a scenario without kills or packet faults, or give your bot as --bot-cmd.`);
        const child = new RespawningClient(
          { version: ctx.version, store: ctx.store, wsUrl: ctx.wsUrl, trustedPublicKey: ctx.trustedPublicKey.toString('base64'), config: ctx.config, seed: ctx.seed },
          { ...(ctx.netns ? { netns: ctx.netns } : {}), rng: new Rng(ctx.seed + 1000), writeWaitMs: ctx.writeWaitMs, clock: ctx.clock },
        );
        return {
          events: child.events as unknown as EventStream<BotReport>,
          get error() {
            return child.error;
          },
          get ended() {
            return child.ended;
          },
          start: () => child.start(),
          stop: () => child.stop(),
          kill: (order) => child.kill(order),
          clockFault: (op, value) => child.clockFault(op, value),
        };
      }
      if (!ctx.baileys) throw new BotSetupError('Failed to start an in-process supervisor: no Baileys module was loaded for it.');
      const sup = new Impl({ baileys: ctx.baileys, store: openSessionStore(ctx.store), config: ctx.config, clock: ctx.clock, rng: new Rng(ctx.seed), socketConfig: { waWebSocketUrl: ctx.wsUrl } });
      const events = sup.events as unknown as EventStream<BotReport>;
      return {
        events,
        get ended() {
          return saidStopped(events);
        },
        start: () => sup.start(),
        stop: () => sup.stop(),
      };
    },
  };
}
