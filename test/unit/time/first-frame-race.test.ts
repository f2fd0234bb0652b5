/**
 * Under virtual time the server's post-handshake delay keeps its real length only for the versions
 * with the first-frame race (Baileys 6.x), and the report says so for those versions only.
 */
import { describe, expect, test } from 'vitest';
import { hasFirstFrameRace } from '../../../harness/baileys/first-frame-race.js';
import { warpDescription } from '../../../harness/time/warp.js';

describe('the first-frame race guard', () => {
  test('Baileys 6.x and versions it cannot read have the race; 7.x does not', () => {
    expect(['6.7.21', '6.0.0', 'next', ''].map(hasFirstFrameRace)).toEqual([true, true, true, true]);
    expect(['7.0.0-rc14', '7.0.0', '7.2.1', '10.0.0'].map(hasFirstFrameRace)).toEqual([false, false, false, false]);
  });

  test("the report names the delay kept in real time for the racy versions only", () => {
    const line = (versions: string[]) => warpDescription(10, undefined, versions).realTime.filter((l) => l.includes('post-handshake'));
    expect(line(['6.7.21', '7.0.0-rc14'])).toEqual([expect.stringMatching(/^the server's post-handshake delay on Baileys 6\.7\.21: kept at its real-time length/)]);
    expect(line(['7.0.0-rc14'])).toEqual([]);
  });
});
