/**
 * The project's import graph, read from the sources: every relative import and re-export of every file under
 * `src/`, type-only ones too (marked), and dynamic `import()`s. `test/layers.test.ts` checks it against the layers
 * `docs/ARCHITECTURE.md` lists; run it to see the folder-to-folder edges and any against the order:
 * `npm run -s layers` (`--files` lists the offending file edges).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

export interface ImportEdge {
  /** Repository-relative paths. */
  from: string;
  to: string;
  /** `import type` / `export type` (erased at run time). */
  typeOnly: boolean;
}

/** Static imports and re-exports (`import … from`, `export … from`, bare `import '…'`) and dynamic `import('…')`. */
const STATIC = /^\s*(import|export)\s+(type\s+)?(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /(typeof\s+)?\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every relative import between files, from files under `src/`. */
export function importEdges(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const add = (specifier: string, typeOnly: boolean) => {
      if (!specifier.startsWith('.')) return;
      const to = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
      edges.push({ from: relative(ROOT, file), to: relative(ROOT, to), typeOnly });
    };
    for (const match of text.matchAll(STATIC)) add(match[3] as string, match[2] !== undefined);
    for (const match of text.matchAll(DYNAMIC)) add(match[2] as string, match[1] !== undefined);
  }
  return edges;
}

/** The layer a path belongs to: its folder under `src/` (`src/index.ts` is `index`); undefined outside `src/`. */
export function folderOf(path: string): string | undefined {
  const parts = relative('src', path).split(sep);
  if (parts[0] === '..') return undefined;
  return parts.length === 1 ? 'index' : parts[0];
}

/** The layers bottom to top, as `docs/ARCHITECTURE.md` lists them between `<!-- layers -->` markers. */
export function documentedLayers(): string[] {
  const page = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const block = /<!-- layers -->([\s\S]*?)<!-- \/layers -->/.exec(page)?.[1];
  if (!block) throw new Error('docs/ARCHITECTURE.md has no <!-- layers --> … <!-- /layers --> list');
  return [...block.matchAll(/^\d+\.\s+`([a-z-]+)\/?`/gm)].map((match) => match[1] as string);
}

/** Edges between folders that point up the order (or to a folder the order leaves out). */
export function edgesAgainst(order: readonly string[], edges: readonly ImportEdge[] = importEdges()): ImportEdge[] {
  return edges.filter((edge) => {
    const from = folderOf(edge.from);
    const to = folderOf(edge.to);
    if (from === undefined || to === undefined || from === to) return false;
    const [a, b] = [order.indexOf(from), order.indexOf(to)];
    return a < 0 || b < 0 || b > a;
  });
}

/** Folder-to-folder edges: `from→to` with how many file imports (and how many of them type-only). */
export function folderEdges(edges: readonly ImportEdge[] = importEdges()): Map<string, { all: number; types: number }> {
  const folders = new Map<string, { all: number; types: number }>();
  for (const edge of edges) {
    const from = folderOf(edge.from);
    const to = folderOf(edge.to) ?? '(outside src)';
    if (from === undefined || from === to) continue;
    const key = `${from}→${to}`;
    const count = folders.get(key) ?? { all: 0, types: 0 };
    count.all++;
    if (edge.typeOnly) count.types++;
    folders.set(key, count);
  }
  return folders;
}

/** Files reached from `entry` by imports that exist at run time (type-only ones are erased). */
export function runtimeClosure(entry: string, edges: readonly ImportEdge[] = importEdges()): Set<string> {
  const reached = new Set<string>([entry]);
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const edge of edges) {
      if (edge.from === file && !edge.typeOnly && !reached.has(edge.to)) {
        reached.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return reached;
}

/** Groups of folders that import each other in a circle (strongly connected, more than one folder), largest first. */
export function folderCycles(edges: readonly ImportEdge[] = importEdges(), valueOnly = false): string[][] {
  const next = new Map<string, Set<string>>();
  for (const edge of edges) {
    const [from, to] = [folderOf(edge.from), folderOf(edge.to)];
    if (from === undefined || to === undefined || from === to || (valueOnly && edge.typeOnly)) continue;
    next.set(from, (next.get(from) ?? new Set()).add(to));
    if (!next.has(to)) next.set(to, new Set());
  }
  // Tarjan's algorithm
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) group.push(w);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return groups.sort((a, b) => b.length - a.length);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const order = documentedLayers();
  const folders = folderEdges();
  const against = edgesAgainst(order);
  const againstFolders = new Set(against.map((edge) => `${folderOf(edge.from)}→${folderOf(edge.to)}`));
  console.log(`layers: ${order.join(' → ')}`);
  console.log(
    `${folders.size} folder-to-folder edges, ${againstFolders.size} against the order (${against.length} file imports)`,
  );
  for (const key of againstFolders) console.log(`  against: ${key}`);
  for (const [label, valueOnly] of [
    ['all imports', false],
    ['value imports', true],
  ] as const) {
    const cycles = folderCycles(importEdges(), valueOnly);
    const inside = (group: string[]) =>
      [...folderEdges(importEdges().filter((edge) => !valueOnly || !edge.typeOnly)).keys()].filter((key) => {
        const [from, to] = key.split('→');
        return group.includes(from as string) && group.includes(to as string);
      }).length;
    console.log(
      `folder cycles (${label}): ${cycles.length === 0 ? 'none' : cycles.map((g) => `${g.length} folders [${g.join(', ')}], ${inside(g)} edges inside`).join('; ')}`,
    );
  }
  if (process.argv.includes('--files')) {
    for (const edge of against) console.log(`  ${edge.from} → ${edge.to}${edge.typeOnly ? ' (type)' : ''}`);
  }
  process.exitCode = against.length > 0 ? 1 : 0;
}
