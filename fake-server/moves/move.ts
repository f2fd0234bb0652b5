/**
 * One server move = one module in this folder: how it is read from untrusted input, what it does
 * to a live connection, and the close code it makes every supported Baileys report (README's move
 * table). Adding a move is a file here and a line in index.ts.
 */
import type { BinaryNode } from '../protocol/binary-node.js';

export class MoveValidationError extends Error {
  override name = 'MoveValidationError';
}

/** An HTTP-like status code, as stream errors, failures and admission refusals carry. */
export const isCode = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 100 && (v as number) <= 999;

/**
 * What a move may do to the connection it is applied to, and no more: the connection hands these
 * over so a move cannot reach its protocol state.
 */
export interface MoveHands {
  /** Stop (true) or start again (false) answering and sending; frames read meanwhile are dropped. */
  silence(on: boolean): void;
  /** Sends a final stanza even when silenced, then waits for the client to close (or drops it). */
  sendAndClose(node: BinaryNode): void;
  /** `<failure reason=R/>`, then as sendAndClose. */
  failAndClose(reason: number): void;
  /** A WebSocket close frame and nothing else. */
  closeNow(why: string): void;
  /** The TCP connection destroyed with no close frame. */
  drop(): void;
  /** The connection's device, if it logged in as one, is removed (it must pair again). */
  removeDevice(): void;
}

// Methods, not function properties: a module typed for its own move still fits the registry's
// MoveModule<ServerMove>, and each is only ever handed a move of its own kind.
export interface MoveModule<M extends { kind: string }> {
  readonly kind: M['kind'];
  /** Reads the move's fields from input of this kind; absent: the move has none. Throws MoveValidationError. */
  parse?(input: Record<string, unknown>): M;
  /** The DisconnectReason the move makes every supported Baileys report; absent: none (silence). */
  closeCode?(move: M): number;
  act(conn: MoveHands, move: M): void;
}

export const defineMove = <M extends { kind: string }>(move: MoveModule<M>): MoveModule<M> => move;
