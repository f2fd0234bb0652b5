/**
 * `baileys-chaos` — the command line. Each command lives in its own module; this file only
 * dispatches and turns errors into one clear line and an exit code.
 *   0 success · 1 the run found a failure or could not complete · 2 bad usage
 */
import { UsageError, type Command } from './command.js';
import { demoCommand } from './demo.js';
import { serveCommand } from './serve.js';
import { toxiproxyCommand } from './toxiproxy.js';

const commands: Command[] = [demoCommand, serveCommand, toxiproxyCommand];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: baileys-chaos <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "baileys-chaos <command> --help" for a command\'s options.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}". Known: ${commands.map((c) => c.name).join(', ')}.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help + '\n');
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const usageError = err instanceof UsageError;
    process.stderr.write(`baileys-chaos: ${(err as Error).message ?? String(err)}${usageError ? '\nRun "baileys-chaos --help" for usage.' : ''}\n`);
    process.exitCode = usageError ? 2 : 1;
  },
);
