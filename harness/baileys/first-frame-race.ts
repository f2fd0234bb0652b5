/**
 * Baileys 6.x's first-frame race (README Findings): it switches to its transport keys only after an
 * asynchronous key derivation that waits on libuv's thread pool, so a frame the server sends at once
 * after the handshake can arrive first and hang or break the login. The fake server's
 * post-handshake delay guards it; under virtual time that delay keeps its real length for these
 * versions (the thread pool keeps real time). Baileys 7 derives the keys at once and buffers an
 * early frame (noise-handler's finishInit): no race, so the delay stays on the run's clock.
 */
/** Whether a Baileys version has the race; a version it cannot read counts as having it. */
export function hasFirstFrameRace(version: string): boolean {
  const major = Number(/^(\d+)\./.exec(version)?.[1]);
  return !Number.isInteger(major) || major < 7;
}
