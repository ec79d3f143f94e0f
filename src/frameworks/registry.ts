import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aiSdk, aiSdkStream } from './adapters/ai-sdk.ts';
import { langchain, langgraphToolNode } from './adapters/langchain.ts';
import { mastra } from './adapters/mastra.ts';
import { openaiAgents } from './adapters/openai-agents.ts';
import { openaiRunTools } from './adapters/openai-runtools.ts';
import type { FrameworkDefinition, ModuleLoader } from './definition.ts';
import { importFrom, installedDir, installedPackageName, installedVersion, PACKAGE_NAME } from './packages.ts';
import { installRelease, isReleaseRange } from './releases.ts';

export { defineFramework, type FrameworkDefinition } from './definition.ts';

/** Bad framework input (unknown name, package not installed): one line, exit 2. */
export class FrameworkError extends Error {
  override name = 'FrameworkError';
}

/**
 * `openai-runtools`; `openai-runtools@openai-6-44`, its main package from an npm alias installed by hand; or
 * `openai-runtools@6.44.0` / `ai-sdk@^6`, a release installed on demand into the project's cache.
 */
export interface FrameworkSpec {
  framework: string;
  /** Installed name that replaces the framework's main package (an npm alias such as `openai-6-44`). */
  alias?: string;
  /** A version or range of the main package, installed on demand (see {@link installRelease}). */
  version?: string;
}

const registry = new Map<string, FrameworkDefinition>();

/** Adds a framework adapter by name; the built-ins are registered through this call. */
export function registerFramework(definition: FrameworkDefinition): void {
  const existing = registry.get(definition.name);
  if (existing === definition) return;
  if (existing) throw new Error(`framework \`${definition.name}\` is already defined; pick another name`);
  registry.set(definition.name, definition);
}

for (const builtIn of [aiSdk, aiSdkStream, openaiAgents, openaiRunTools, langchain, langgraphToolNode, mastra]) {
  registerFramework(builtIn);
}

export function frameworkNames(): string[] {
  return [...registry.keys()];
}

export function frameworkDefinitions(): FrameworkDefinition[] {
  return [...registry.values()];
}

export function frameworkDefinition(name: string): FrameworkDefinition {
  const definition = registry.get(name);
  if (!definition) {
    throw new FrameworkError(`Unknown framework \`${name}\`; expected one of ${frameworkNames().join(', ')}`);
  }
  return definition;
}

export function formatFrameworkSpec(spec: FrameworkSpec): string {
  const after = spec.version ?? spec.alias;
  return after === undefined ? spec.framework : `${spec.framework}@${after}`;
}

/** Parses `name`, `name@alias` or `name@version-or-range`; throws {@link FrameworkError} naming the fix. */
export function parseFrameworkSpec(text: string): FrameworkSpec {
  const trimmed = text.trim();
  const at = trimmed.indexOf('@', 1);
  const framework = at === -1 ? trimmed : trimmed.slice(0, at);
  frameworkDefinition(framework);
  if (at === -1) return { framework };
  const after = trimmed.slice(at + 1);
  if (isReleaseRange(after)) return { framework, version: after };
  if (!PACKAGE_NAME.test(after)) {
    throw new FrameworkError(
      `\`${trimmed}\`: after @ comes a version or range (${framework}@1.2.3, ${framework}@^6) or the installed name of an npm alias (${framework}@openai-6-44)`,
    );
  }
  return { framework, alias: after };
}

/** A framework ready to build agents: its definition and the packages as found installed. */
export interface ResolvedFramework {
  spec: FrameworkSpec;
  /** `openai-runtools@openai-6-44` */
  label: string;
  definition: FrameworkDefinition;
  /** The main package as installed (the alias, when one is named). */
  installedAs: string;
  /** The real package behind it (`openai`) and its version. */
  package: string;
  version: string;
  /** Every package it loads, as installed (the alias for the main one), with its version. */
  packages: Record<string, string>;
  /** The directory its packages resolve from: the user's project, or the cache folder of a release installed on demand. */
  from: string;
  /** A release installed on demand: what was asked for and the integrity of each package installed. */
  release?: { asked: string; integrity: Record<string, string> };
  load: ModuleLoader;
}

/** Packages that carry a framework's loop or talk to the model API, among a framework package's dependencies. */
const LOOP_PACKAGE = /^(?:openai|ai|langchain|@ai-sdk\/.+|@openai\/.+|@langchain\/.+|@mastra\/.+)$/;

/**
 * The versions of what runs when a framework runs: its packages as found from `from`, and the loop and API-client
 * packages among their own dependencies, as each resolves them (`@openai/agents` brings `@openai/agents-core` and
 * its own `openai`). Keys are installed names (an alias stays an alias).
 */
function packagesThatRun(names: readonly string[], from: string): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of names) {
    const dir = installedDir(name, from);
    versions[name] = installedVersion(name, from) ?? 'unknown';
    if (!dir) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {}).filter((d) => LOOP_PACKAGE.test(d))) {
      versions[dependency] ??= installedVersion(dependency, dir) ?? 'unknown';
    }
  }
  return versions;
}

/** How a user installs what a framework needs into the project at `from`. */
function installHint(spec: FrameworkSpec, missing: string, from: string): string {
  const definition = frameworkDefinition(spec.framework);
  const main = definition.packages[0] as string;
  if (spec.alias !== undefined && missing === spec.alias) {
    return `\`${formatFrameworkSpec(spec)}\` needs ${main} installed under the alias \`${spec.alias}\`; add it with \`npm install --save-dev ${spec.alias}@npm:${main}@VERSION\``;
  }
  const all = definition.packages.filter((p) => p === missing || !installedDir(p, from));
  return `Framework \`${spec.framework}\` needs ${missing}, which is not installed in this project (${from}); install it with \`npm install --save-dev ${all.join(' ')}\``;
}

/**
 * Finds a framework's packages in the user's project, `from` (the working directory; never fanout-bench's own
 * dependencies, which may be other versions), with their versions; one-line error naming the packages to install
 * when one is missing.
 */
export function resolveFramework(
  spec: FrameworkSpec,
  project: string = process.cwd(),
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): ResolvedFramework {
  const definition = frameworkDefinition(spec.framework);
  const main = definition.packages[0] as string;
  const release =
    spec.version === undefined
      ? undefined
      : installRelease({ framework: spec.framework, packages: definition.packages, asked: spec.version, project, log });
  const from = release?.dir ?? project;
  const installedAs = spec.alias ?? main;
  for (const name of [installedAs, ...definition.packages.slice(1)]) {
    if (!installedDir(name, from)) throw new FrameworkError(installHint(spec, name, from));
  }
  const realPackage = installedPackageName(installedAs, from) ?? main;
  if (spec.alias !== undefined && realPackage !== main) {
    throw new FrameworkError(
      `\`${spec.alias}\` is ${realPackage}, not ${main}: \`${spec.framework}@ALIAS\` needs an alias of ${main}`,
    );
  }
  const load: ModuleLoader = (specifier) => {
    const target =
      specifier === main || specifier.startsWith(`${main}/`) ? installedAs + specifier.slice(main.length) : specifier;
    return importFrom(target, from);
  };
  return {
    spec,
    label: formatFrameworkSpec(spec),
    definition,
    installedAs,
    package: realPackage,
    version: installedVersion(installedAs, from) ?? 'unknown',
    packages: packagesThatRun([installedAs, ...definition.packages.slice(1)], from),
    from,
    ...(release
      ? {
          release: {
            asked: release.asked,
            integrity: Object.fromEntries(
              Object.entries(release.packages).flatMap(([name, p]) => (p.integrity ? [[name, p.integrity]] : [])),
            ),
          },
        }
      : {}),
    load,
  };
}
