/**
 * `baileys-chaos` — the command line. Each command lives in its own module; this file only
 * dispatches and turns errors into one clear line and an exit code (the table in
 * harness/report/exit-code.ts): bad input is 2, anything else that escapes a command is 4.
 */
import { UsageError, type Command } from './command.js';
import { BadInputError } from '../errors.js';
import { PortInUseError } from '../../core/port-in-use.js';
import { EXIT, EXIT_CODES_HELP } from '../report/exit-code.js';
import { checkCommand } from './check.js';
import { compareCommand } from './compare.js';
import { demoCommand } from './demo.js';
import { doctorCommand } from './doctor.js';
import { mergeCommand } from './merge.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { toxiproxyCommand } from './toxiproxy.js';
import { tuneCommand } from './tune.js';
import { warpCommand } from './warp.js';
import { aliasTimeScale } from './retired-time-scale.js';
import { currentSpeed, faketimeLibrary, faketimeMissingForDefault, flagValue, isRealTime, reexecWarped, speedFlag, stopWithOuterProcess } from '../time/warp.js';
import { defaultSpeedOfChoice } from '../bots/index.js';

/** The commands that run scenarios and take their time mode from flags (check takes its baseline's). */
const WARPED_BY_DEFAULT = new Set(['run', 'compare', 'tune', 'replay', 'warp']);
const TIME_SCALE_ALIASED = new Set(['run', 'compare', 'tune', 'replay']);

const commands: Command[] = [runCommand, compareCommand, tuneCommand, checkCommand, replayCommand, warpCommand, mergeCommand, serveCommand, demoCommand, toxiproxyCommand, doctorCommand];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: baileys-chaos <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "baileys-chaos <command> --help" for a command\'s options.',
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  stopWithOuterProcess();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}". Known: ${commands.map((c) => c.name).join(', ')}.`);
  // Flags after "--" are another command's (warp).
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (own.includes('--help') || own.includes('-h')) {
    process.stdout.write(command.help + '\n');
    return 0;
  }
  // --time-scale F (retired) is --speed 1/F for the commands that took it; check refuses it itself.
  // The bot's own default speed (OpenClaw's is slower), known from the command line.
  const defaultSpeed = defaultSpeedOfChoice({ bot: flagValue(own, '--bot'), botCmd: flagValue(own, '--bot-cmd'), supervisor: flagValue(own, '--supervisor') });
  const alias = TIME_SCALE_ALIASED.has(name) ? aliasTimeScale(own, defaultSpeed) : { argv: own };
  const args = [...alias.argv, ...rest.slice(own.length)];
  // --speed K: the whole command again, under libfaketime (harness/time/warp.ts). A suite command
  // given no --speed runs at the default speed, or at the speed of a warp it already runs under
  // (baileys-chaos warp -- ...).
  const given = speedFlag(alias.argv);
  const warped = currentSpeed();
  if (given !== undefined && warped !== undefined && given !== warped) {
    const asked = alias.given ? `${alias.given} (now --speed ${given})` : `--speed ${given}`;
    throw new BadInputError(`Failed to run at ${asked}: this command already runs in virtual time x${warped} (started under "baileys-chaos warp" or another warped command), and a clock's speed cannot change. ${alias.given ? 'Drop --time-scale.' : `Drop --speed, or pass --speed ${warped}.`}`);
  }
  const byDefault = given === undefined && WARPED_BY_DEFAULT.has(name);
  const speed = byDefault ? (warped ?? defaultSpeed) : given;
  if (speed !== undefined && !isRealTime(speed) && warped === undefined) {
    if (byDefault && !faketimeLibrary()) throw new BadInputError(faketimeMissingForDefault(speed));
    return reexecWarped(speed); // the command again, which says the alias's note itself
  }
  if (alias.note) process.stderr.write(alias.note + '\n');
  return command.run(byDefault ? [...alias.argv, '--speed', String(speed), ...rest.slice(own.length)] : args);
}

// Exit as soon as the command is done: everything the harness starts is stopped by then, but
// Baileys 7.x leaves an uncleared 30 s pre-key-upload timer behind (lib/Socket/socket.js), which
// would hold the process open long after the report is written. (stdout/stderr are synchronous
// on Linux pipes and files, so nothing printed is lost.)
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A port the user named that is taken is their input to change, not the harness failing.
    const badInput = err instanceof BadInputError || err instanceof PortInUseError;
    const message = (err as Error)?.message ?? String(err);
    process.stderr.write(`baileys-chaos: ${badInput ? message : `the harness failed (exit 4, not a verdict on your bot): ${message}`}${err instanceof UsageError ? '\nRun "baileys-chaos --help" for usage.' : ''}\n`);
    process.exit(badInput ? EXIT.usage : EXIT.harness);
  },
);
