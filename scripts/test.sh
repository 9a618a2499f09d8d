#!/usr/bin/env bash
# `npm test`: everything CI checks. Installs the services the tests need, then lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
[ -d node_modules ] || npm ci
npx eslint .
npx prettier --check . >/dev/null || { echo "prettier: files need formatting (npm run format)"; npx prettier --list-different .; exit 1; }
npx tsc --noEmit
npx vitest run "$@"
# The whole suite ran at one test time; the clock-reading tests run again at other hours.
if [ $# -eq 0 ]; then bash scripts/clock-sweep.sh; fi
