/**
 * The parts of WhatsApp's `proto.Message` a chat text needs, with WAProto.proto's field numbers,
 * and the random padding WhatsApp puts around it before encryption. Hand-written on the server's
 * own protobuf codec, so the server never uses the generated code of the Baileys under test.
 */
import { randomInt } from 'node:crypto';
import { decodeFields, getBytes, getString, ProtobufError, ProtobufWriter } from '../protocol/protobuf.js';

/** Message { conversation = 1; senderKeyDistributionMessage = 2; extendedTextMessage = 6; deviceSentMessage = 31 } */
const F = { conversation: 1, skdm: 2, extendedText: 6, deviceSent: 31 } as const;
/** Message.SenderKeyDistributionMessage { groupId = 1; axolotlSenderKeyDistributionMessage = 2 } */
const SKDM = { groupId: 1, axolotl: 2 } as const;

/** A group's sender key for one member, as the message carrying it over the pairwise session. */
export function encodeSenderKeyDistribution(groupId: string, distribution: Uint8Array): Buffer {
  return new ProtobufWriter().bytes(F.skdm, new ProtobufWriter().bytes(SKDM.groupId, groupId).bytes(SKDM.axolotl, distribution).finish()).finish();
}

export function decodeSenderKeyDistribution(buf: Uint8Array): { groupId: string; distribution: Uint8Array } | undefined {
  const skdm = getBytes(decodeFields(buf), F.skdm);
  if (!skdm) return undefined;
  const f = decodeFields(skdm);
  const groupId = getString(f, SKDM.groupId);
  const distribution = getBytes(f, SKDM.axolotl);
  return groupId !== undefined && distribution ? { groupId, distribution } : undefined;
}
/** ExtendedTextMessage { text = 1; contextInfo = 17 } */
const EXT = { text: 1, contextInfo: 17 } as const;
/** ContextInfo { stanzaId = 1; participant = 2; quotedMessage = 3 } */
const CTX = { stanzaId: 1, participant: 2, quotedMessage: 3 } as const;
/** DeviceSentMessage { destinationJid = 1; message = 2 } */
const DSM = { destinationJid: 1, message: 2 } as const;

export interface ChatText {
  text: string;
  /** contextInfo.stanzaId: the id of the message this one quotes. */
  quotedId?: string;
  quotedParticipant?: string;
  /** Set when the text came wrapped in deviceSentMessage (a copy for the sender's own devices). */
  destinationJid?: string;
}

/** A plain text as WhatsApp phones send it: `conversation`, or `extendedTextMessage` when quoting. */
export function encodeChatText(msg: ChatText): Buffer {
  if (msg.quotedId === undefined) return new ProtobufWriter().bytes(F.conversation, msg.text).finish();
  const ctx = new ProtobufWriter().bytes(CTX.stanzaId, msg.quotedId).bytes(CTX.participant, msg.quotedParticipant).finish();
  const ext = new ProtobufWriter().bytes(EXT.text, msg.text).bytes(EXT.contextInfo, ctx).finish();
  return new ProtobufWriter().bytes(F.extendedText, ext).finish();
}

/** The text of a message (unwrapping deviceSentMessage), or undefined when it carries none (e.g. a protocol message). */
export function decodeChatText(buf: Uint8Array): ChatText | undefined {
  const fields = decodeFields(buf);
  const sent = getBytes(fields, F.deviceSent);
  if (sent) {
    const dsm = decodeFields(sent);
    const inner = getBytes(dsm, DSM.message);
    const text = inner ? decodeChatText(inner) : undefined;
    const destinationJid = getString(dsm, DSM.destinationJid);
    return text ? { ...text, ...(destinationJid !== undefined ? { destinationJid } : {}) } : undefined;
  }
  const conversation = getString(fields, F.conversation);
  if (conversation !== undefined) return { text: conversation };
  const extBytes = getBytes(fields, F.extendedText);
  if (!extBytes) return undefined;
  const ext = decodeFields(extBytes);
  const text = getString(ext, EXT.text) ?? '';
  const ctxBytes = getBytes(ext, EXT.contextInfo);
  if (!ctxBytes) return { text };
  const ctx = decodeFields(ctxBytes);
  const quotedId = getString(ctx, CTX.stanzaId);
  const quotedParticipant = getString(ctx, CTX.participant);
  return { text, ...(quotedId !== undefined ? { quotedId } : {}), ...(quotedParticipant !== undefined ? { quotedParticipant } : {}) };
}

/** 1-16 pad bytes, each equal to the pad length (what Baileys' unpadRandomMax16 strips). */
export function padRandomMax16(msg: Uint8Array, pad = randomInt(1, 17)): Buffer {
  return Buffer.concat([msg, Buffer.alloc(pad, pad)]);
}

export function unpad(buf: Uint8Array): Buffer {
  const pad = buf[buf.length - 1];
  if (!buf.length || pad === undefined || pad === 0 || pad > buf.length) throw new ProtobufError(`invalid padding (last byte ${pad ?? 'none'})`);
  return Buffer.from(buf.subarray(0, buf.length - pad));
}
