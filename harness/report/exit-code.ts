/**
 * The process exit codes: one table for every command, printed by `baileys-chaos --help` and
 * stated in the README.
 *
 *   0  every run valid (and unknown ones, with --allow-unknown)
 *   1  the bot failed: some run invalid, or `check` found a regression
 *   2  bad usage or bad input: an unknown flag, scenario, Baileys version or file, a bad value
 *   3  undecided: no run failed, but some verdict is unknown (the observation window ended before
 *      a check could decide): never a pass unless --allow-unknown
 *   4  the harness itself failed: a run ended in `error` (a fault that could not be applied,
 *      Toxiproxy refusing a proxy, no network namespace, a bot command that does not start) or
 *      the command crashed. The bot is not blamed: fix the setup and run again.
 *   130 interrupted (SIGINT, SIGTERM): the run in progress was released, the finished runs were
 *      reported (report.json and the rest hold them; runs.jsonl streams each as it finishes).
 *
 * Precedence for a set of runs: invalid (1) > error (4) > unknown (3) > 0; no runs at all is 3. An error outranks an
 * unknown because the harness failing is the likelier cause of the undecided verdicts beside it.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, undecided: 3, harness: 4, interrupted: 130 } as const;

/** The table as `--help` prints it. */
export const EXIT_CODES_HELP = `Exit codes:
  0  every run valid
  1  the bot failed: a run invalid, or "check" found a regression
  2  bad usage or input: unknown flag, scenario, Baileys version or file; a bad value
  3  undecided: no run failed but a verdict is unknown (a pass only with --allow-unknown)
  4  the harness failed: a run ended in error (fault not applied, bot did not start, ...) or a crash
  130 interrupted (Ctrl-C, SIGTERM): the finished runs are in the report; the run in progress was released`;

export function exitCodeFor(verdicts: string[], opts: { allowUnknown?: boolean } = {}): number {
  if (verdicts.length === 0) return EXIT.undecided; // nothing was judged: not a pass
  if (verdicts.includes('invalid')) return EXIT.failed;
  if (verdicts.includes('error')) return EXIT.harness;
  if (verdicts.includes('unknown') && !opts.allowUnknown) return EXIT.undecided;
  return EXIT.ok;
}
