// Reconnects sanely and answers texts, but adds its message handler twice on every socket (a
// listener registered in two places, the classic way a bot ends up handling each message twice):
// every text gets two answers.
import { answerEveryText } from '../../../examples/echo-bot/echo-bot.mjs';
import { backoff, brokenBot } from './loop.mjs';
export default brokenBot({
  afterClose: ({ code, failures }) => (code === 401 || code === 440 ? { action: 'stop' } : { action: 'reconnect', delayMs: backoff(failures) }),
  onSocket: (sock) => {
    answerEveryText(sock);
    answerEveryText(sock);
  },
});
