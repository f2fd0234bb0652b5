/**
 * Whether a loss check's message names a Baileys finding the server can prove for every lost
 * message (README Findings): answers sealed with a reused Signal message key; or each one Baileys
 * decrypted and dropped (it acked the redelivery with 487); or each one from a contact that never
 * could decrypt an answer the bot sent it (libsignal's stored failed ratchet step, 7.0.0-rc14's two
 * resends). Tests of a correct bot accept a loss only when its verdict is invalid and says this.
 */
export function lossExplainedByBaileys(message: string): boolean {
  if (message.includes('a Signal message key it had used before')) return true;
  const lost = Number(/^(\d+) of \d+ message/.exec(message)?.[1]);
  const named = (pattern: RegExp) => Number(pattern.exec(message)?.[1]) === lost;
  return lost > 0 && (named(/; (\d+) of them the bot acked on a redelivery as already decrypted/) || named(/; (\d+) of them from contacts that never could decrypt/));
}
