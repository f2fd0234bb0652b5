/**
 * Finding (README Findings): the Signal library Baileys decrypts with (libsignal, as each pinned
 * version installs it) tries a `msg` on every session of the record, and a try that fails still
 * moves that session's ratchet (`maybeStepRatchet` runs before the MAC check); when the message
 * then decrypts on an older session, the whole record is stored, the moved one included. The
 * bot's next message on its open session is sealed on a ratchet the contact never made: the
 * contact cannot decrypt it ("Bad MAC"), and neither the answers after it on that session.
 *
 * Shown with the library each version resolves, as the bot side, against a contact holding its
 * records as a phone does (fake-server/messaging/party.ts, which tries each session on a fresh
 * copy). The same steps with a fresh copy per try on the bot's side too: the answer decrypts.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { baileysFileUrl, versionsUnderTest } from '../../harness/baileys/versions.js';
import { SignalParty } from '../../fake-server/messaging/party.js';
import { withKeyType, type SignalBundle, type SignalStorage } from '../../fake-server/messaging/signal.js';

const asBundle = (b: ReturnType<SignalParty['bundle']>): SignalBundle => ({
  registrationId: b.registrationId,
  identityKey: withKeyType(b.identity),
  signedPreKey: { keyId: b.signedPreKey.id, publicKey: withKeyType(b.signedPreKey.public), signature: b.signedPreKey.signature },
  preKey: { keyId: b.preKey.id, publicKey: withKeyType(b.preKey.public) },
});

interface Cipher {
  encrypt(data: Buffer): Promise<{ type: number; body: Buffer }>;
  decryptWhisperMessage(data: Buffer): Promise<Buffer>;
}
type Lib = { SessionCipher: new (s: SignalStorage, a: unknown) => Cipher; ProtocolAddress: new (name: string, device: number) => unknown };

/** libsignal as the Baileys version resolves it (its own dependency, not ours). */
function libsignalOf(version: string): Lib {
  return createRequire(fileURLToPath(baileysFileUrl(version, 'package.json')))('libsignal') as Lib;
}

/**
 * The bot holds two sessions with Alice: B (Alice started it) and A (the bot started it since,
 * e.g. after a reconnect). Alice seals a message on B before A's first message reaches her; the
 * bot decrypts it with libsignal's own `decryptWhisperMessage` (`libsignalDecrypt`) or tries each
 * session on a fresh copy (the contact's way). Then the bot answers on A. Returns whether Alice
 * could read the answer.
 */
async function answerAfterOlderSessionMessage(lib: Lib, libsignalDecrypt: boolean): Promise<string> {
  const alice = new SignalParty('alice');
  const bot = new SignalParty('bot');
  // Session B: Alice starts it; each reads the other's first message.
  await alice.startSession('bot', asBundle(bot.bundle()));
  const hello = await alice.encrypt('bot', Buffer.from('hello'));
  await bot.decrypt('alice', hello.type, hello.ciphertext);
  const hi = await bot.encrypt('alice', Buffer.from('echo: hello'));
  await alice.decrypt('bot', hi.type, hi.ciphertext);
  // Session A: the bot starts afresh and sends on it (pkmsg, in flight).
  await bot.startSession('alice', asBundle(alice.bundle()));
  const first = await bot.encrypt('alice', Buffer.from('on A'));
  // Alice, who has not read it yet, sends again on B.
  const second = await alice.encrypt('bot', Buffer.from('second'));
  expect(second.type).toBe('msg');
  const read = libsignalDecrypt ? await new lib.SessionCipher(bot, new lib.ProtocolAddress('alice', 0)).decryptWhisperMessage(second.ciphertext) : await bot.decrypt('alice', second.type, second.ciphertext);
  expect(read.toString()).toBe('second');
  // Alice reads A's first message, then the bot's answer on A.
  expect((await alice.decrypt('bot', first.type, first.ciphertext)).toString()).toBe('on A');
  const answer = await bot.encrypt('alice', Buffer.from('echo: second'));
  try {
    return (await alice.decrypt('bot', answer.type, answer.ciphertext)).toString();
  } catch (err) {
    return `failed: ${(err as Error).message}`;
  }
}

describe("finding: libsignal's failed tries move the ratchets of the sessions they failed on, and the record is stored with them", () => {
  test.each(versionsUnderTest())("Baileys %s's libsignal", async (version) => {
    const lib = libsignalOf(version);
    // Each try on a fresh copy: the answer on A reads.
    expect(await answerAfterOlderSessionMessage(lib, false)).toBe('echo: second');
    // libsignal's own decrypt: A's ratchet moved by the failed try, the answer is unreadable.
    expect(await answerAfterOlderSessionMessage(lib, true)).toMatch(/^failed: /);
  });
});
