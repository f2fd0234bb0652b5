import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BadInputError } from '../errors.js';

export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

/** Bad flags or values: exit code 2. */
export class UsageError extends BadInputError {
  override name = 'UsageError';
}

/** parseArgs with errors turned into UsageError naming the flag. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>, P extends boolean = false>(
  argv: string[],
  options: T,
  allowPositionals?: P,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: P }>> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: (allowPositionals ?? false) as P });
  } catch (err) {
    const message = (err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '');
    // node's own text for "--runs -1" is three lines; one says what to do.
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(message);
    if (ambiguous) throw new UsageError(`${ambiguous[1]} needs a value; write a value that starts with "-" as ${ambiguous[1]}=VALUE`);
    throw new UsageError(message.split('\n')[0]!);
  }
}

export function parsePort(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number 0–65535 (0 = ephemeral), got "${value}"`);
  return n;
}

/** Resolves when the process is asked to stop (Ctrl-C, SIGTERM). */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}
