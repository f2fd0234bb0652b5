import { UsageError, type Command } from './command.js';
import { DEFAULT_SPEED, currentSpeed, runPassingSignals } from '../time/warp.js';

/**
 * `baileys-chaos warp [--speed K] -- COMMAND...`: any command under the run's virtual clock, e.g.
 * a bot's own vitest suite with `scenarioSuite` (which then runs with real-world settings). main.ts
 * has already put this process under libfaketime at K; COMMAND inherits the warp and the clock.
 */
export const warpCommand: Command = {
  name: 'warp',
  summary: 'run any command in virtual time (e.g. your vitest suite: scenarioSuite then uses real-world settings)',
  help: `Usage: baileys-chaos warp [--speed K] -- COMMAND [ARGS...]

Runs COMMAND with libfaketime at speed K (default ${DEFAULT_SPEED}): every process it starts shares one
clock running K times faster than real time: Date, timers, Baileys' and your bot's own constants.
For a vitest suite that uses scenarioSuite from baileys-chaos/vitest:
  npx baileys-chaos warp -- npx vitest run test/chaos.test.ts
scenarioSuite sees the warp and runs real-world settings (no time scale), with timeouts for them.
Exit code: COMMAND's.`,
  async run(argv) {
    const dash = argv.indexOf('--');
    const command = dash < 0 ? [] : argv.slice(dash + 1);
    const own = dash < 0 ? argv : argv.slice(0, dash);
    const unknown = own.filter((a, i) => !(a === '--speed' || a.startsWith('--speed=') || own[i - 1] === '--speed'));
    if (unknown.length) throw new UsageError(`warp takes only --speed K before "--", got "${unknown[0]}". Put the command after "--": baileys-chaos warp --speed 10 -- npx vitest run`);
    if (!command.length) throw new UsageError('warp needs a command after "--", e.g. baileys-chaos warp -- npx vitest run');
    if (currentSpeed() === undefined) throw new UsageError('warp --speed 1 is real time: run the command itself.');
    return runPassingSignals(command[0]!, command.slice(1)).catch((err: Error) => {
      throw new UsageError(`Failed to start "${command[0]}": ${err.message}. Check the command after "--".`);
    });
  },
};
