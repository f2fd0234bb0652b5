/** How scenarioSuite keeps time: virtual time by default, in vitest's process only under a warp. */
import { describe, expect, test } from 'vitest';
import { suiteTime, timeTitle } from '../../../harness/time/suite-time.js';

const PLAIN = {};
const WARPED_X15 = { LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', BAILEYS_CHAOS_SPEED: '15' };

describe('suiteTime', () => {
  test('a plain vitest run: each test again under the warp, at x10 or the given speed', () => {
    expect(suiteTime({}, PLAIN)).toEqual({ kind: 'warped-vitest', speed: 10 });
    expect(suiteTime({ speed: 20 }, PLAIN)).toEqual({ kind: 'warped-vitest', speed: 20 });
    expect(timeTitle(suiteTime({}, PLAIN))).toBe('virtual time x10');
  });

  test("a bot's own default speed (OpenClaw's 5) where no speed is given; a given speed or a warp still wins", () => {
    expect(suiteTime({ defaultSpeed: 5 }, PLAIN)).toEqual({ kind: 'warped-vitest', speed: 5 });
    expect(suiteTime({ defaultSpeed: 5, speed: 10 }, PLAIN)).toEqual({ kind: 'warped-vitest', speed: 10 });
    expect(suiteTime({ defaultSpeed: 5 }, WARPED_X15)).toEqual({ kind: 'here', speed: 15, scale: 1 });
  });

  test('under a warp: in this process at its speed, real-world settings', () => {
    expect(suiteTime({}, WARPED_X15)).toEqual({ kind: 'here', speed: 15, scale: 1 });
    expect(suiteTime({ speed: 15 }, WARPED_X15)).toEqual({ kind: 'here', speed: 15, scale: 1 });
    // The title is the same in the outer and the inner vitest: the inner finds the test by it.
    expect(timeTitle(suiteTime({ speed: 15 }, WARPED_X15))).toBe(timeTitle(suiteTime({ speed: 15 }, PLAIN)));
  });

  test('real time and the older time scale only when asked, in this process', () => {
    expect(suiteTime({ speed: 1 }, PLAIN)).toEqual({ kind: 'here', scale: 1 });
    expect(timeTitle(suiteTime({ speed: 1 }, PLAIN))).toBe('real time');
    expect(suiteTime({ scale: 0.04 }, PLAIN)).toEqual({ kind: 'here', scale: 0.04 });
    expect(timeTitle(suiteTime({ scale: 0.04 }, PLAIN))).toBe('time scale 0.04');
  });

  test('what cannot be done is refused in one line that says what to do', () => {
    expect(() => suiteTime({ speed: 20 }, WARPED_X15)).toThrow(/already runs in virtual time x15, and a clock's speed cannot change\. Drop speed/);
    expect(() => suiteTime({ scale: 0.04 }, WARPED_X15)).toThrow(/would mix two time modes\. Drop scale/);
    expect(() => suiteTime({ speed: 10, scale: 0.04 }, PLAIN)).toThrow(/both speed and scale/);
    expect(() => suiteTime({ speed: 0 }, PLAIN)).toThrow(/speed must be from 1 to 50/);
    expect(() => suiteTime({ speed: 60 }, PLAIN)).toThrow(/speed must be from 1 to 50/);
    expect(() => suiteTime({ scale: 2 }, PLAIN)).toThrow(/scale must be above 0 and at most 1/);
  });
});
