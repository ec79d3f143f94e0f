#!/usr/bin/env bash
# The regression gate as a CI step: copy this into your pipeline (see docs/gate.md, "In CI").
# Measures the suite recorded in the baseline, re-measures failing cells once to confirm, writes a Markdown summary
# (to $GITHUB_STEP_SUMMARY when set) and github-action-benchmark JSON. Exit: 0 pass, 1 regression, 2 usage/config.
# FANOUT_BENCH overrides the command (this repository runs its own bin: node bin/fanout-bench.js).
set -euo pipefail
baseline=${FANOUT_BASELINE:-results/baseline.json}
${FANOUT_BENCH:-npx --no-install fanout-bench} gate \
  --baseline "$baseline" \
  --tolerance "${FANOUT_TOLERANCE:-0.05}" \
  --min-efficiency "${FANOUT_MIN_EFFICIENCY:-0.9}" \
  --summary results/gate-summary.md \
  --export-benchmark-action results/benchmark-action.json \
  --quiet
