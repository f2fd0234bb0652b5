// Answers texts (the echo bot's handler), but registers it on the first socket only, the classic
// mistake: after a reconnect the new socket receipts what arrives (Baileys does that itself) and
// nothing answers it. Its reconnects are sane (backoff, stops on 401 and 440).
import { answerEveryText } from '../../../examples/echo-bot/echo-bot.mjs';
import { backoff, brokenBot } from './loop.mjs';
export default brokenBot({
  afterClose: ({ code, failures }) => (code === 401 || code === 440 ? { action: 'stop' } : { action: 'reconnect', delayMs: backoff(failures) }),
  onSocket: (sock, n) => n === 1 && answerEveryText(sock),
});
