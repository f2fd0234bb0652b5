/**
 * Once per vitest run, before any test file: dist/ built and current. Tests that run the package as
 * a user's project does need it: `--import baileys-chaos/redirect` (the black-box preload) and the
 * compiled CLI resolve through package.json's exports into dist/. On a fresh clone only
 * `npm pack` (scripts/pack-check.sh) built it, so `npm test` alone failed those tests.
 */
import { builtCli } from './built-cli.js';

export default function setup(): void {
  builtCli();
}
