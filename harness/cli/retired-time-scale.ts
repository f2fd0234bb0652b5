/**
 * --time-scale F, the retired mode that shrank the scenario's and the supervisor's durations, kept
 * as a flag name for command lines that rely on it: it now means --speed 1/F, real-world settings on
 * a clock 1/F times faster, at most the default speed (the bot's: 0.04, the old default, runs at the
 * new one: above it CPU inflation moves more verdicts, README "Virtual time"). Shrunk settings hid what
 * Baileys' fixed timers and a bot's own cause (at 0.04 keepalive-timeout's 408 never came: its
 * blackhole ended before Baileys' 5 s allowance did).
 */
import { BadInputError } from '../errors.js';
import { DEFAULT_SPEED, flagIndex, flagValue, MAX_SPEED, speedFlag } from '../time/warp.js';

export interface TimeScaleAlias {
  /** The command line with --time-scale F replaced by --speed 1/F (at most the default speed). */
  argv: string[];
  /** What --time-scale now means, said once by the process that runs the command. */
  note?: string;
  /** The flag as given, for messages that must name what the user typed. */
  given?: string;
}

/** `defaultSpeed`: the speed the command runs at when given none (its bot's), the alias's cap. */
export function aliasTimeScale(argv: string[], defaultSpeed: number = DEFAULT_SPEED): TimeScaleAlias {
  const i = flagIndex(argv, '--time-scale');
  if (i < 0) return { argv };
  const inline = argv[i]!.includes('=');
  const raw = flagValue(argv, '--time-scale');
  const scale = Number(raw);
  if (raw === undefined || !(scale > 0 && scale <= 1)) {
    throw new BadInputError(`--time-scale must be above 0 and at most 1, got "${raw ?? ''}". It is retired: --time-scale F now means --speed 1/F, at most ${defaultSpeed} (real-world settings on a faster clock). Pass --speed K instead.`);
  }
  if (speedFlag(argv) !== undefined) throw new BadInputError(`--speed and --time-scale are two ways to run faster: give one. --time-scale is retired (--time-scale F now means --speed 1/F, at most ${defaultSpeed}): pass --speed K.`);
  const asked = Math.round(100 / scale) / 100;
  const speed = Math.min(asked, defaultSpeed);
  const capped = speed < asked ? ` (1/F is ${asked}; above the default ${defaultSpeed} CPU inflation moves more verdicts: pass --speed K, up to ${MAX_SPEED}, to run faster)` : '';
  const given = `--time-scale ${raw}`;
  return {
    argv: [...argv.slice(0, i), '--speed', String(speed), ...argv.slice(i + (inline ? 1 : 2))],
    given,
    note: `note: ${given} runs as --speed ${speed}${capped}: --time-scale is retired. It shrank the settings, but Baileys' fixed timers and a bot's own do not shrink, so what they cause could vanish (at 0.04 keepalive-timeout's 408 never came). Now the settings stay real-world and the clock runs ${speed} times faster. Pass --speed ${speed}, or leave it out for x${defaultSpeed}.`,
  };
}
