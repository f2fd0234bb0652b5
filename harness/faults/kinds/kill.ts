import { CORRUPTION_MODES, type CorruptionMode } from '../session-corruption.js';
import { defineKind, nothingToClear } from './kind.js';

/** A `kill` fault's params: when the process dies, and what the crash leaves of its session. */
export interface KillOrder {
  /** Kill at the client's next session write instead of at once (bounded by `writeWaitMs`). */
  atNextWrite?: boolean;
  /** Damage the session's creds before the restart. */
  corrupt?: CorruptionMode;
}

/** params: a KillOrder: SIGKILL the target client process (then it restarts on the same session). */
export const kill = defineKind({
  name: 'kill',
  place: 'kill',
  ownProcess: true,
  parse(params, fail) {
    if (params.atNextWrite !== undefined && typeof params.atNextWrite !== 'boolean') fail('has params.atNextWrite that is not true or false');
    if (params.corrupt !== undefined && !CORRUPTION_MODES.includes(params.corrupt as CorruptionMode)) fail(`has params.corrupt ${JSON.stringify(params.corrupt)} (known: ${CORRUPTION_MODES.join(', ')})`);
  },
  unreachable: (_e, reach) => (reach.killable ? undefined : 'this bot cannot be killed and restarted (a command bot with --restart never stays down after a kill).'),
  async apply(e, { place: killer }) {
    await killer(e.target ?? 'all', (e.params ?? {}) as KillOrder);
  },
  clear: nothingToClear,
});
