// A module bot that ends the whole process at its first close (process.exit from a handler, as a
// bot's own "give up" code might). In the harness's process it takes the harness with it; in a
// --jobs child it takes only that child, and the run must be an error, not lost and not a verdict.
import { brokenBot } from './broken-bots/loop.mjs';
export default brokenBot({ afterClose: () => process.exit(9) });
