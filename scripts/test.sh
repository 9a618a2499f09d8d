#!/usr/bin/env bash
# `npm test`: everything CI checks. Installs the services the tests need, then lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
[ -d node_modules ] || npm ci
npx eslint .
npx prettier --check . >/dev/null || { echo "prettier: files need formatting (npm run format)"; npx prettier --list-different .; exit 1; }
npx tsc --noEmit
# The import rules of docs/architecture.md (pipeline direction, no cycles).
npm run -s depcheck
if [ $# -gt 0 ]; then
  npx vitest run "$@"
  exit
fi
# Load measurements (*.load.test.ts) compare latency with and without load in the same run: they
# run after the rest, one file at a time, so that no other test's work is in their figures.
npx vitest run --exclude 'test/**/*.load.test.ts'
npx vitest run --no-file-parallelism .load.test.ts
# The whole suite ran at one test time; the clock-reading tests run again at other hours.
bash scripts/clock-sweep.sh
