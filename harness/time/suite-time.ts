/**
 * How scenarioSuite's runs keep time, decided once per call from its options and whether vitest
 * itself runs under a warp: in vitest's process (warped, real time, or the older time scale), or
 * each test again in a vitest under the warp (the default under a plain `npx vitest run`).
 */
import { BadInputError } from '../errors.js';
import { clockName, currentSpeed, DEFAULT_SPEED, isRealTime, MAX_SPEED } from './warp.js';

/** How a suite's runs keep time, decided once per scenarioSuite call. */
export type SuiteTime =
  | { kind: 'here'; speed?: number; scale: number } // in this process: warped (speed), real time, or time-scaled
  | { kind: 'warped-vitest'; speed: number }; // each test again in a vitest under the warp

/** `defaultSpeed`: the bot's own default (Bot.defaultSpeed), else DEFAULT_SPEED. */
export function suiteTime(opts: { speed?: number; scale?: number; defaultSpeed?: number }, env: NodeJS.ProcessEnv = process.env): SuiteTime {
  const warped = currentSpeed(env);
  if (opts.speed !== undefined && !(opts.speed >= 1 && opts.speed <= MAX_SPEED)) throw new BadInputError(`scenarioSuite's speed must be from 1 to ${MAX_SPEED} (how many times faster than real time), got ${opts.speed}.`);
  if (opts.scale !== undefined) {
    if (!(opts.scale > 0 && opts.scale <= 1)) throw new BadInputError(`scenarioSuite's scale must be above 0 and at most 1, got ${opts.scale}.`);
    if (opts.speed !== undefined) throw new BadInputError("scenarioSuite was given both speed and scale: two ways to run faster. Give speed (real-world settings on a faster clock).");
    if (warped !== undefined && opts.scale < 1) throw new BadInputError(`Failed to run scenarioSuite at scale ${opts.scale}: this vitest runs in virtual time x${warped} (real-world settings on a fast clock); shrinking the settings as well would mix two time modes. Drop scale.`);
    return { kind: 'here', ...(warped !== undefined ? { speed: warped } : {}), scale: opts.scale };
  }
  if (warped !== undefined) {
    if (opts.speed !== undefined && opts.speed !== warped) throw new BadInputError(`Failed to run scenarioSuite at speed ${opts.speed}: this vitest already runs in virtual time x${warped}, and a clock's speed cannot change. Drop speed, or warp at --speed ${opts.speed}.`);
    return { kind: 'here', speed: warped, scale: 1 };
  }
  const speed = opts.speed ?? opts.defaultSpeed ?? DEFAULT_SPEED;
  return isRealTime(speed) ? { kind: 'here', scale: 1 } : { kind: 'warped-vitest', speed };
}

// Under a warp scale is always 1 (suiteTime refuses a smaller one).
export const timeTitle = (time: SuiteTime): string => (time.kind === 'here' && time.speed === undefined && time.scale !== 1 ? `time scale ${time.scale}` : clockName(time.speed));

