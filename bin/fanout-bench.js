#!/usr/bin/env node
// Runs the TypeScript source through tsx in a checkout (tsx is a dev dependency), and the built dist/ where tsx is
// not installed (an installed package), so a stale local build never shadows the source.
import { existsSync } from 'node:fs';

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
