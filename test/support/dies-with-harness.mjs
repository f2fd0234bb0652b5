// A harness process that starts two children through dieWithHarness (one plain, one detached
// with a grandchild in its group), prints their pids, then dies of an uncaught exception.
import { spawn } from 'node:child_process';
import { dieWithHarness } from '../../harness/children.ts';

const idle = ['-e', 'setInterval(() => {}, 1 << 30)'];
const plain = dieWithHarness(spawn(process.execPath, idle, { stdio: 'ignore' }));
const leader = dieWithHarness(spawn(process.execPath, ['-e', `require('node:child_process').spawn(process.execPath, ${JSON.stringify(idle)}, { stdio: 'ignore' }); setInterval(() => {}, 1 << 30)`], { stdio: 'ignore', detached: true }), true);
console.log(JSON.stringify({ plain: plain.pid, leader: leader.pid }));
setTimeout(() => {
  throw new Error('the harness crashed');
}, 300);
