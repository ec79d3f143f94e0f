import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..');
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** `scripts/cli-reference.ts` with ARGS; resolves with its exit code and stderr, never rejects. */
async function cliReference(args: string[]): Promise<{ code: number; stderr: string }> {
  return exec(process.execPath, [tsx, join(root, 'scripts', 'cli-reference.ts'), ...args], { cwd: root }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
}

/** README.md and every Markdown file under docs/, as paths relative to DIR. */
function markdownFiles(dir: string): string[] {
  const walk = (folder: string): string[] =>
    readdirSync(join(dir, folder), { withFileTypes: true }).flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return [...(existsSync(join(dir, 'README.md')) ? ['README.md'] : []), ...walk('docs')];
}

/** The lines of a Markdown text outside fenced code blocks, with their line numbers. */
function proseLines(text: string): { line: string; number: number }[] {
  let fence: string | undefined;
  return text.split('\n').flatMap((line, i) => {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (marker && (fence === undefined || fence === marker)) {
      fence = fence === undefined ? marker : undefined;
      return [];
    }
    return fence === undefined ? [{ line, number: i + 1 }] : [];
  });
}

/** The id GitHub gives a heading: lower case, punctuation and symbols dropped, each space a hyphen. */
function headingId(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every heading id of a Markdown text; a repeated heading gets `-1`, `-2`, … as on GitHub. */
function headingIds(text: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const { line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const id = headingId(heading);
    const count = seen.get(id) ?? 0;
    seen.set(id, count + 1);
    ids.add(count === 0 ? id : `${id}-${count}`);
  }
  return ids;
}

/** Every relative link and anchor of the Markdown files under DIR that does not resolve, as `file:line: target`. */
function brokenLinks(dir: string): string[] {
  const broken: string[] = [];
  for (const file of markdownFiles(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const { line, number } of proseLines(text)) {
      // code spans hold examples, not links: `[x](y)` inside backticks is text
      const prose = line.replace(/(`+)[^`]*?\1/g, 'code');
      for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        const target = match[1] ?? '';
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        const [path = '', anchor] = target.split('#', 2);
        const resolved = path === '' ? join(dir, file) : resolve(dirname(join(dir, file)), decodeURIComponent(path));
        const where = `${file}:${number}: ${target}`;
        if (!existsSync(resolved)) broken.push(`${where} (no such file)`);
        else if (anchor !== undefined && statSync(resolved).isFile() && resolved.endsWith('.md')) {
          if (!headingIds(readFileSync(resolved, 'utf8')).has(anchor))
            broken.push(`${where} (no heading #${anchor} in ${relative(dir, resolved)})`);
        }
      }
    }
  }
  return broken;
}

describe('the docs', () => {
  it('docs/cli.md is the program’s own --help, every command of it', async () => {
    const check = await cliReference(['--check']);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    const page = readFileSync(join(root, 'docs', 'cli.md'), 'utf8');
    for (const command of ['bench', 'gate', 'run', 'verify', 'worker', 'bisect', 'probe', 'list'])
      expect(page).toContain(`\n## fanout-bench ${command}\n`);
  }, 60_000);

  it('the check fails in one line when docs/cli.md drifts from --help', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-docs-'));
    const stale = join(dir, 'cli.md');
    const page = readFileSync(join(root, 'docs', 'cli.md'), 'utf8');
    writeFileSync(stale, page.replace('run a benchmark matrix and write results/', 'run a benchmark'));
    const check = await cliReference(['--check', '--file', stale]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/^\S*cli\.md is out of date with --help: run npm run docs:cli\n$/);
  }, 60_000);

  it('README.md stays at most 250 lines', () => {
    const lines = readFileSync(join(root, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(250);
  });

  it('every relative link and #anchor in README.md and docs/ resolves', () => {
    expect(brokenLinks(root)).toEqual([]);
  });

  it('the link check finds a missing file, a missing heading, and takes GitHub’s heading ids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-links-'));
    mkdirSync(join(dir, 'docs'));
    writeFileSync(
      join(dir, 'README.md'),
      [
        '# Two commands',
        '[ok](docs/a.md#fanout-bench-run--one-agent-conversation) [ok](#two-commands) [web](https://example.com/x)',
        '[gone](docs/missing.md) [no heading](docs/a.md#nowhere) `[code](not/a/link.md)`',
        '```',
        '[fenced](not/a/link.md)',
        '```',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'docs', 'a.md'),
      '## `fanout-bench run` — one agent conversation\n[back](../README.md#two-commands)\n',
    );
    expect(brokenLinks(dir)).toEqual([
      'README.md:3: docs/missing.md (no such file)',
      'README.md:3: docs/a.md#nowhere (no heading #nowhere in docs/a.md)',
    ]);
  });

  it('every figures file starts with the line naming its machine, Node, date and command', () => {
    const figures = join(root, 'docs', 'figures');
    const files = readdirSync(figures).filter((name) => name.endsWith('.md') && name !== 'README.md');
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const first = readFileSync(join(figures, name), 'utf8').split('\n')[0] ?? '';
      expect(first, name).toMatch(/^(Measured on |Machine, Node and date not recorded)/);
      expect(first, name).toMatch(/Node/);
      expect(first, name).toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
      expect(first, name).toMatch(/`[^`]+`/);
    }
  });
});
