// The echo bot as a command, unmodified by baileys-chaos:
//   npx baileys-chaos run --bot-cmd 'node examples/echo-bot/bot.mjs' --messages 30 --answers
// or against "baileys-chaos serve" with `node --import baileys-chaos/redirect bot.mjs`. Its
// Baileys is a plain import (the redirect loads the version under test); its session is
// auth_info_baileys in its working directory, as in Baileys' README.
import * as baileys from '@whiskeysockets/baileys';
import connect from './echo-bot.mjs';

const bot = await connect({ baileys, authDir: 'auth_info_baileys', report: (e) => console.log(JSON.stringify(e)) });
process.once('SIGTERM', () => {
  bot.stop();
  process.exit(0);
});
