// A command bot that never connects and never ends by itself (a bot retrying for good, reduced to
// what matters here): only a signal ends it. It writes its pid to LINGERS_PID_DIR, so a test can
// tell it started and whether it is still alive after the harness is gone.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

if (process.env.LINGERS_PID_DIR) writeFileSync(join(process.env.LINGERS_PID_DIR, String(process.pid)), '');
process.stderr.write(`lingers: started (pid ${process.pid}), waiting for good\n`);
setInterval(() => {}, 60_000);
