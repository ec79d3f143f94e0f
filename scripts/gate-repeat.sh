#!/usr/bin/env bash
# Runs the regression gate N times in a row and counts verdicts: how often does it cry wolf on this machine?
# Usage: scripts/gate-repeat.sh [N] [extra gate flags…]   (run from the project root)
set -uo pipefail
runs=${1:-20}
shift || true
pass=0 fail=0 other=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  npx --no-install tsx src/cli/main.ts gate --quiet --out "${TMPDIR:-/tmp}/fanout-gate-repeat" "$@" > "${TMPDIR:-/tmp}/fanout-gate-repeat.$i.log" 2>&1
  code=$?
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  case $code in 0) pass=$((pass + 1)) ;; 1) fail=$((fail + 1)) ;; *) other=$((other + 1)) ;; esac
  printf 'run %2d: exit %d (%.1f s) %s\n' "$i" "$code" "$secs" "$(grep -E '^Gate (passed|failed)' "${TMPDIR:-/tmp}/fanout-gate-repeat.$i.log" | cut -c1-100)"
done
echo "passed $pass, failed $fail, errors $other of $runs"
[ "$fail" -eq 0 ] && [ "$other" -eq 0 ]
