/**
 * Which Signal message key each of the bot's copies for a contact device was sealed with, read
 * from the wire format, so the server can see the bot seal two different messages with one key:
 * a protocol violation the contact cannot decrypt ("Key used already or never filled"). Baileys
 * 6.7.21 does it when it sends several messages at once (its key-store transaction cache lets a
 * slow read overwrite the session a concurrent encrypt just stored).
 *
 * A message key is (ratchet key, counter) of a session, scoped to the pair (bot device, contact
 * device). The same key again with the same bytes is a resend of the same stanza, not a reuse.
 */
import { createHash } from 'node:crypto';
import { decodeFields, getBytes, getVarint } from '../protocol/protobuf.js';

/** WhisperMessage { ratchetKey = 1; counter = 2; previousCounter = 3; ciphertext = 4 } */
const WHISPER = { ratchetKey: 1, counter: 2 } as const;
/** PreKeyWhisperMessage { preKeyId = 1; baseKey = 2; identityKey = 3; message = 4; registrationId = 5; signedPreKeyId = 6 } */
const PREKEY = { message: 4 } as const;
/** libsignal appends the first 8 bytes of the HMAC to a WhisperMessage. */
const MAC_LENGTH = 8;
const CURRENT_VERSION = 3;

export interface MessageKey {
  ratchetKey: Uint8Array;
  counter: number;
  /** The versioned WhisperMessage, MAC included: what was sealed with the key. */
  whisper: Uint8Array;
}

export interface KeyReuse {
  /** The message first sealed with the key. */
  firstId: string;
  counter: number;
}

/** The message key of a `msg` or `pkmsg` body; undefined for anything else or anything malformed. */
export function messageKeyOf(type: string, body: Uint8Array): MessageKey | undefined {
  try {
    if (type === 'msg') return whisperKey(body);
    if (type === 'pkmsg' && versionOk(body)) {
      const inner = getBytes(decodeFields(body.subarray(1)), PREKEY.message);
      return inner ? whisperKey(inner) : undefined;
    }
  } catch {
    /* malformed: not ours to judge here (the decrypt that follows records it) */
  }
  return undefined;
}

const versionOk = (b: Uint8Array) => b.length > 0 && b[0]! >> 4 === CURRENT_VERSION;

function whisperKey(versioned: Uint8Array): MessageKey | undefined {
  if (!versionOk(versioned) || versioned.length <= 1 + MAC_LENGTH) return undefined;
  const f = decodeFields(versioned.subarray(1, versioned.length - MAC_LENGTH));
  const ratchetKey = getBytes(f, WHISPER.ratchetKey);
  const counter = getVarint(f, WHISPER.counter);
  if (!ratchetKey?.length || counter === undefined) return undefined;
  return { ratchetKey, counter: Number(counter), whisper: versioned };
}

export class MessageKeyLedger {
  /** Per pair: message key → the first message sealed with it and a digest of its bytes (insertion order: oldest first). */
  private readonly pairs = new Map<string, Map<string, { id: string; digest: string }>>();

  /** Keys kept per pair: well beyond what a run sends; past it the oldest is forgotten. */
  constructor(private readonly maxPerPair = 20_000) {}

  /** Remembers the key a copy was sealed with; a reuse (same key, other bytes) names the message first sealed with it. */
  see(bot: string, contactDevice: string, id: string, type: string, body: Uint8Array): KeyReuse | undefined {
    const key = messageKeyOf(type, body);
    if (!key) return undefined;
    const pair = `${bot}|${contactDevice}`;
    let keys = this.pairs.get(pair);
    if (!keys) this.pairs.set(pair, (keys = new Map()));
    const name = `${Buffer.from(key.ratchetKey).toString('base64')}#${key.counter}`;
    const digest = createHash('sha256').update(key.whisper).digest('base64');
    const first = keys.get(name);
    if (first) return first.digest === digest ? undefined : { firstId: first.id, counter: key.counter };
    if (keys.size >= this.maxPerPair) keys.delete(keys.keys().next().value!);
    keys.set(name, { id, digest });
    return undefined;
  }
}
