/**
 * Every server move, in the order error messages list them. A move is looked up by its kind:
 * the connection and the parser hold no list of their own.
 */
import { conflict } from './conflict.js';
import { downgrade } from './downgrade.js';
import { drop } from './drop.js';
import { endStream } from './end-stream.js';
import { failure } from './failure.js';
import { loggedOut } from './logged-out.js';
import { MoveValidationError, type MoveModule } from './move.js';
import { resume } from './resume.js';
import { silence } from './silence.js';
import { streamErrorChild } from './stream-error-child.js';
import { streamError } from './stream-error.js';
import { wsClose } from './ws-close.js';

export const MOVES = [silence, resume, streamError, streamErrorChild, conflict, loggedOut, endStream, wsClose, drop, failure, downgrade] as const;

type MoveOf<T> = T extends MoveModule<infer M> ? M : never;

/** A server move, as plain data: acts on live connections (one or all). */
export type ServerMove = MoveOf<(typeof MOVES)[number]>;
export type MoveKind = ServerMove['kind'];

export const MOVE_KINDS: readonly MoveKind[] = MOVES.map((m) => m.kind);

const byKind = new Map<string, MoveModule<ServerMove>>(MOVES.map((m) => [m.kind, m]));

/** The module of a move's kind (undefined for a kind no module has: nothing happens). */
export const moveModule = (kind: string): MoveModule<ServerMove> | undefined => byKind.get(kind);

/** Validates untrusted input (control API, schedule files) into a ServerMove. */
export function parseMove(input: unknown): ServerMove {
  if (typeof input !== 'object' || input === null) throw new MoveValidationError('a move must be an object like {"kind":"silence"}');
  const m = input as Record<string, unknown>;
  const move = typeof m.kind === 'string' ? moveModule(m.kind) : undefined;
  if (!move) throw new MoveValidationError(`unknown move kind ${JSON.stringify(m.kind)}; known: ${MOVE_KINDS.join(', ')}`);
  return move.parse ? move.parse(m) : ({ kind: move.kind } as ServerMove);
}
