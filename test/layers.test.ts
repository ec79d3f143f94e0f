import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  documentedLayers,
  edgesAgainst,
  folderCycles,
  folderOf,
  importEdges,
  ROOT,
  runtimeClosure,
} from '../scripts/import-graph.ts';

const layers = documentedLayers();
const edges = importEdges();

describe('layers: imports point down the order docs/ARCHITECTURE.md lists', () => {
  it('lists every folder under src/ once, the public API last', () => {
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect([...layers].sort()).toEqual([...folders, 'index'].sort());
    expect(new Set(layers).size).toBe(layers.length);
    expect(layers.at(-1)).toBe('index');
  });

  it('has no import, type-only ones included, from a layer to one above it', () => {
    const against = edgesAgainst(layers, edges).map(
      (edge) => `${edge.from} → ${edge.to}${edge.typeOnly ? ' (type)' : ''}`,
    );
    expect(against).toEqual([]);
    expect(folderCycles(edges)).toEqual([]);
  });

  it('reads type-only imports and re-exports, and catches an edge up the order', () => {
    expect(edges.some((edge) => edge.typeOnly)).toBe(true);
    expect(edges).toContainEqual({ from: 'src/executors/types.ts', to: 'src/tools/definition.ts', typeOnly: true });
    const up = { from: 'src/core/time.ts', to: 'src/cli/main.ts', typeOnly: true };
    expect(edgesAgainst(layers, [up])).toEqual([up]);
    expect(folderCycles([up, { from: 'src/cli/main.ts', to: 'src/core/time.ts', typeOnly: false }])).toEqual([
      ['cli', 'core'],
    ]);
  });

  it.each(['src/executors/worker.ts', 'src/executors/queue-worker-process.ts'])(
    '%s (a worker thread or process) loads only core, stats, tools and executors',
    (entry) => {
      const folders = new Set([...runtimeClosure(entry, edges)].map((file) => folderOf(file)));
      expect([...folders].sort()).toEqual(['core', 'executors', 'stats', 'tools'].filter((f) => folders.has(f)));
      expect(folders.has('tools')).toBe(true);
    },
  );
});
