// The echo bot sending each answer as it comes (several at once after a reconnect), as Baileys'
// README does. Not a mistake of the bot's: on Baileys 6.7.21 it makes Baileys seal different
// answers with the same Signal message key (README Findings), which the server records.
import { echoBot } from '../../../examples/echo-bot/echo-bot.mjs';

export default (args) => echoBot(args, { sendAtOnce: true });
