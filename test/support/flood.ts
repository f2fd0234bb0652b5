/** Writes `total` bytes into a socket, minding its 'drain'; `out()` is what has left its own buffer (the rest waits in it). */
import type { Socket } from 'node:net';

export function flood(s: Socket, total: number): { out: () => number } {
  const piece = Buffer.alloc(64 * 1024, 9);
  let written = 0;
  const push = () => {
    while (written < total) {
      written += piece.length;
      if (!s.write(piece)) return;
    }
  };
  s.on('drain', push);
  push();
  return { out: () => written - s.writableLength };
}
