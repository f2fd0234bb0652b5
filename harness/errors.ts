/**
 * Errors that are the caller's input, not the harness failing: an unknown flag, scenario, Baileys
 * version or file, a bad value. The CLI exits 2 on them (harness/report/exit-code.ts) and prints
 * the one line; anything else that escapes a command is the harness failing (exit 4).
 */
export class BadInputError extends Error {
  override name = 'BadInputError';
}
