import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameworkError, resolveFramework } from '../src/frameworks/registry.ts';

const root = join(import.meta.dirname, '..');

/** An empty project whose node_modules holds `links` (installed name → a package folder of this checkout). */
function project(links: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-project-'));
  writeFileSync(join(dir, 'package.json'), '{"private": true}');
  for (const [name, target] of Object.entries(links)) {
    mkdirSync(join(dir, 'node_modules', name, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', target), join(dir, 'node_modules', name));
  }
  return dir;
}

describe("a framework's packages come from the user's project", () => {
  it("loads and records the project's version, not fanout-bench's own dependency", async () => {
    const dir = project({ openai: 'openai-6-44' }); // the project's openai is 6.44.0; fanout-bench's own is 7
    const framework = resolveFramework({ framework: 'openai-runtools' }, dir);
    expect(framework).toMatchObject({
      package: 'openai',
      version: '6.44.0',
      packages: { openai: '6.44.0' },
      from: dir,
    });
    const loaded = await framework.load('openai/version');
    expect(loaded.VERSION).toBe('6.44.0'); // the module that runs is the project's
  });

  it("records the loop and API packages a framework brings (@openai/agents' own openai)", () => {
    const framework = resolveFramework({ framework: 'openai-agents' }, root);
    const agents = framework.packages['@openai/agents'] as string;
    expect(framework.packages).toMatchObject({ '@openai/agents-core': agents, '@openai/agents-openai': agents });
    expect(framework.packages.openai).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('names the packages to install in the project when they are not there, even if fanout-bench has them', () => {
    const dir = project({});
    expect(() => resolveFramework({ framework: 'openai-runtools' }, dir)).toThrow(FrameworkError);
    expect(() => resolveFramework({ framework: 'openai-runtools' }, dir)).toThrow(
      `Framework \`openai-runtools\` needs openai, which is not installed in this project (${dir}); install it with \`npm install --save-dev openai\``,
    );
  });
});
