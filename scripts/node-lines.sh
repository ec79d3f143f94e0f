#!/usr/bin/env bash
# The supported Node lines, each brought from the npm registry (the `node` package: the official binary) rather than
# assumed on the machine: for each, the package test (test/package.test.ts: the packed tarball installed into an
# empty project and used there: CLI, a fanout.config.ts, a worker pool, a report, the API with its types) runs
# under that Node, vitest and npm included. `npm test` runs the whole suite on the project's own Node 26 besides.
# FANOUT_NODE_LINES overrides the versions (space-separated); the binaries are cached outside the checkout
# (\$XDG_CACHE_HOME or ~/.cache, fanout-bench/node), so `npm ci`, which empties node_modules, keeps them.
set -euo pipefail
cd "$(dirname "$0")/.."
# 22.12.0 is the floor (engines.node): the oldest release we claim, not the newest 22.
lines=${FANOUT_NODE_LINES:-"22.12.0 24.21.0 26.10.0"}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/fanout-bench/node"
# Prints the bin folder of that Node release, fetching it first when it is not cached.
fetch_node() {
  local dir="$cache/$1"
  if [ ! -x "$dir/node_modules/node/bin/node" ]; then
    echo "node-lines: fetching Node $1 from the npm registry" >&2
    mkdir -p "$dir"
    # the `node` package fetches the platform's binary in its preinstall script: the one script allowed here
    echo '{"private": true, "allowScripts": {"node": true}}' >"$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node@$1" >/dev/null || return 1
  fi
  echo "$dir/node_modules/.bin"
}

# Below the floor, the CLI refuses in one line (exit 2) before it loads anything.
old=$(fetch_node "${FANOUT_BELOW_FLOOR:-20.20.2}") || exit 1
set +e
refusal=$("$old/node" bin/fanout-bench.js --version 2>&1)
code=$?
set -e
if [ "$code" != 2 ] || [[ "$refusal" == *$'\n'* ]] || [[ "$refusal" != *"needs Node.js >=22.12.0"* ]]; then
  echo "node-lines: FAIL on Node $("$old/node" --version) expected one line and exit 2, got exit $code: $refusal"
  exit 1
fi
echo "node-lines: Node $("$old/node" --version) refused in one line, exit 2: $refusal"

for version in $lines; do
  bin=$(fetch_node "$version") || exit 1
  echo "node-lines: Node $("$bin/node" --version): the package test"
  start=$SECONDS
  PATH="$bin:$PATH" node node_modules/vitest/vitest.mjs run test/package.test.ts
  echo "node-lines: Node $version passed in $((SECONDS - start)) s"
done
