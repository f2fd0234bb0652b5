/**
 * The control API's bearer token: random per server unless the caller gives one (tests, docker).
 * Every request that changes something must carry it, so a local process or a web page that
 * merely reaches the port cannot wipe sessions or drop connections.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: safe in a header, a shell and JSON. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Refuses a given token too short to resist guessing, or one a header cannot carry. */
export function checkGivenToken(token: string): string {
  if (!/^[\x21-\x7e]{16,}$/.test(token)) {
    throw new Error(
      `Failed to start the control API: the token must be at least 16 visible ASCII characters (no spaces), got ${token.length} characters. Give a longer one, or none for a random one.`,
    );
  }
  return token;
}

/** Whether an Authorization header carries the token, compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1] ?? '';
  // Hashing first gives equal lengths, so timingSafeEqual reveals nothing about the token's length either.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}
