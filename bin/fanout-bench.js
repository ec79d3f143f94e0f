#!/usr/bin/env node
// First, before anything is loaded: the Node floor of package.json's `engines`, in one line (exit 2). Below it the
// dependencies fail in ways that do not say why (msw 3, commander 15 and vitest 5 need Node 22.12).
// Then: runs the TypeScript source through tsx in a checkout (tsx is a dev dependency), and the built dist/ where tsx
// is not installed (an installed package), so a stale local build never shadows the source.
import { existsSync, readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// `>=22.12.0`, `>= 22.12` or `>=22`: missing parts count as 0
const floor = (/(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(manifest.engines.node) ?? []).slice(1, 4).map((part) => Number(part ?? 0));
const running = process.versions.node.split('.').map(Number);
const differs = floor.findIndex((part, i) => running[i] !== part); // the first part that is not the floor's
if (differs >= 0 && running[differs] < floor[differs]) {
  process.stderr.write(
    `Error: fanout-bench needs Node.js ${manifest.engines.node} and this is ${process.version}: ` +
      `install Node ${floor[0]}.${floor[1]} or newer (it is developed on 26) and run it again\n`,
  );
  process.exit(2);
}

const source = new URL('../src/cli/main.ts', import.meta.url);
const built = new URL('../dist/src/cli/main.js', import.meta.url);
const tsx = await import('tsx/esm/api').catch(() => undefined);
if (tsx && existsSync(source)) {
  tsx.register();
  await import(source.href);
} else if (existsSync(built)) {
  await import(built.href);
} else {
  process.stderr.write('Error: fanout-bench is not built; run `npm run build` (or `npm install` for tsx)\n');
  process.exitCode = 2;
}
