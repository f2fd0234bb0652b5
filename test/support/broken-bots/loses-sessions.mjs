// Answers texts on every socket (the echo bot's handler) and reconnects sanely, but its store loses
// its Signal sessions at every close (session-*.json gone, creds kept): after each reconnect the
// next message on an old session cannot be decrypted, and only WhatsApp's retry path (a retry
// receipt, a resend on a fresh session) can save it.
import { answerEveryText } from '../../../examples/echo-bot/echo-bot.mjs';
import { backoff, brokenBot } from './loop.mjs';
export default brokenBot({
  afterClose: ({ code, failures }) => (code === 401 || code === 440 ? { action: 'stop' } : { action: 'reconnect', delayMs: backoff(failures), forgetSessions: true }),
  onSocket: (sock) => answerEveryText(sock),
});
