import { defineMove } from './move.js';

/** Undo `silence`. */
export type Resume = { kind: 'resume' };

export const resume = defineMove<Resume>({ kind: 'resume', act: (conn) => conn.silence(false) });
