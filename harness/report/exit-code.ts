/**
 * The process exit code for a set of run verdicts: one rule for run, compare, tune, replay and check.
 *
 *   0  every run valid (or valid and unknown, when unknown verdicts are allowed: --allow-unknown)
 *   1  the bot failed: some run invalid, or some verdict unknown and unknown not allowed
 *      (the observation window ended before a check could decide: never a pass by default)
 *   2  bad usage (not decided here: the CLI's UsageError)
 *   3  a harness failure: some run ended in `error` (a fault that could not be applied, Toxiproxy
 *      refusing a proxy, no network namespace, a bot command that does not start) and no run is
 *      invalid. The bot is not blamed: fix the setup and run again.
 *
 * Precedence: invalid (1) > error (3) > unknown not allowed (1) > 0. An error outranks an unknown
 * because the harness failing is the likelier cause of the undecided verdicts beside it.
 * `check` adds its own reasons for 1 (a regression, a baseline row missing) on top of this.
 */
export function exitCodeFor(verdicts: string[], opts: { allowUnknown?: boolean } = {}): number {
  if (verdicts.includes('invalid')) return 1;
  if (verdicts.includes('error')) return 3;
  if (verdicts.includes('unknown') && !opts.allowUnknown) return 1;
  return 0;
}
