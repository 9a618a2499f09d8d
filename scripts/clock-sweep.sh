#!/usr/bin/env bash
# Runs the tests whose fixtures sit on the test clock (they import test/helpers/clock.ts) again
# with that clock at three other hours and dates, in two time zones: the suite must pass whatever the
# hour, the date or the machine's zone (a test built on the wall clock failed 9 hours a day).
set -euo pipefail
cd "$(dirname "$0")/.."

# A file may opt out with a `clock-sweep: skip — <why>` comment (load measurements, tests whose
# clock use is relative only and that take minutes).
mapfile -t files < <(grep -rl --include='*.test.ts' 'helpers/clock.ts' test | xargs grep -L 'clock-sweep: skip' | sort)
# Test time (Shanghai local, on varied dates: a month end, a Sunday, New Year's Eve just after
# midnight) and TZ; the main run is at 10:30 (test/helpers/clock.ts), in the machine's zone.
settings=(
  '2026-06-21T06:00:00+08:00 UTC'
  '2026-11-15T18:00:00+08:00 Asia/Shanghai'
  '2027-01-01T00:30:00+08:00 UTC'
)
for setting in "${settings[@]}"; do
  read -r at zone <<<"$setting"
  echo "clock sweep: ${#files[@]} test files at ${at}, TZ=${zone}"
  WEIGE_TEST_NOW="$at" TZ="$zone" npx vitest run --reporter=dot "${files[@]}"
done
