/**
 * The process dies: SIGKILLed at the next session write of a login (pre-key upload, creds
 * update), or at a random moment, sometimes leaving damaged creds behind (truncated, emptied,
 * garbled, deleted), and a process manager starts it again. The session must reload — or, if the
 * crash damaged it, be refused with a store error — never silently turn into a fresh QR pairing
 * (real-world 5 and 6: "re-scan the QR after every crash"). One scenario per store, so the two
 * are compared on the same schedules.
 */
import fc from 'fast-check';
import { ALL_INVARIANTS } from '../harness/invariants.js';
import type { Scenario } from '../harness/scenario.js';
import type { ScheduleEntry } from '../harness/faults/schedule.js';
import { CORRUPTION_MODES } from '../harness/faults/session-corruption.js';
import { inSequence } from './settings.js';
import { killCutsConnection } from '../harness/effects.js';

/** A crash mid-login: a restart (515) makes the client log in again, and the kill waits for its first write. */
const crashMidWrite = fc.constant<ScheduleEntry[]>([
  { at: 0, fault: 'kill', params: { atNextWrite: true } },
  { at: 0, fault: 'server-move', params: { kind: 'stream-error', code: 515 } },
]);
const crashAnywhere = fc.constant<ScheduleEntry[]>([{ at: 0, fault: 'kill' }]);
const crashDamaging = fc.constantFrom(...CORRUPTION_MODES).map((corrupt): ScheduleEntry[] => [{ at: 0, fault: 'kill', params: { corrupt } }]);

const crashes = (store: 'file' | 'sqlite'): Scenario => ({
  name: store === 'sqlite' ? 'crash-during-write' : 'crash-during-write-file-store',
  about: `SIGKILL mid session write or with damaged creds, then a restart, ${store === 'sqlite' ? 'SQLite' : 'multi-file'} store: reload or refuse, never a silent re-pair (real-world 5, 6)`,
  clients: 1,
  store,
  driver: 'subprocess',
  schedules: () =>
    fc
      .array(fc.record({ gap: fc.integer({ min: 40_000, max: 90_000 }), crash: fc.oneof({ weight: 3, arbitrary: crashMidWrite }, { weight: 1, arbitrary: crashAnywhere }, { weight: 1, arbitrary: crashDamaging }) }), { minLength: 1, maxLength: 3 })
      .map((items) => inSequence(items, ({ crash }, at) => crash.map((e) => ({ ...e, at })))) // a crash's entries share its time
      .map((groups) => groups.flat()),
  // A restart is a new process: loading Baileys and logging in take real seconds that do not scale.
  settleMs: (c) => c.backoff.maxDelayMs + c.loginTimeoutMs + 15_000,
  invariants: ALL_INVARIANTS,
  effect: killCutsConnection,
});

export const crashDuringWrite = crashes('sqlite');
export const crashDuringWriteFileStore = crashes('file');
