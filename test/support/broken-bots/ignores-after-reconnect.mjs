// Reconnects sanely but receipts nothing after its first reconnect: its chat filter
// (Baileys' shouldIgnoreJid) is built from an allowlist only its first socket loaded, so every later
// socket ignores every chat. Baileys acks each message without a delivery receipt and never emits
// it: open, and every message lost. Caught by "no inbound message lost" (a bot that does not answer).
import { backoff, brokenBot } from './loop.mjs';

export default brokenBot({
  afterClose: ({ code, failures }) => (code === 401 || code === 440 ? { action: 'stop' } : { action: 'reconnect', delayMs: backoff(failures) }),
  socketOptions: (n) => (n > 1 ? { shouldIgnoreJid: () => true } : {}),
});
