import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { importFrom, installedDir, installedPackageName, installedVersion, PACKAGE_NAME } from '../core/packages.ts';
import { Registry } from '../core/registry.ts';
import { aiSdk, aiSdkStream } from './adapters/ai-sdk.ts';
import { langchain, langgraphToolNode } from './adapters/langchain.ts';
import { mastra, mastraStream } from './adapters/mastra.ts';
import { openaiAgents } from './adapters/openai-agents.ts';
import { openaiRunTools } from './adapters/openai-runtools.ts';
import type { FrameworkDefinition, ModuleLoader } from './definition.ts';
import { installRelease, isReleaseRange } from './releases.ts';

export { defineFramework, type FrameworkDefinition } from './definition.ts';

/** Bad framework input (unknown name, package not installed): one line, exit 2. */
export class FrameworkError extends InputError {
  override name = 'FrameworkError';
}

/**
 * `openai-runtools`; `openai-runtools@openai-6-44`, its main package from an npm alias installed by hand;
 * `ai-sdk@ai-6+ai-sdk-openai-3`, several of its packages from aliases, each replacing the package it installs; or
 * `openai-runtools@6.44.0` / `ai-sdk@^6`, a release installed on demand into the project's cache.
 */
export interface FrameworkSpec {
  framework: string;
  /**
   * Installed names that replace the framework's packages (npm aliases such as `openai-6-44`), joined by `+`: each
   * replaces the package it is an alias of.
   */
  alias?: string;
  /** A version or range of the main package, installed on demand (see {@link installRelease}). */
  version?: string;
}

/**
 * Framework adapters by name: the built-ins, and those a config declares, registered through the same call. The
 * CLI makes one per process and passes it on; functions given none use the built-ins alone.
 */
export class FrameworkRegistry {
  readonly #frameworks = new Registry<FrameworkDefinition>('framework');

  /** A registry holding the built-in adapters. */
  constructor() {
    for (const builtIn of [
      aiSdk,
      aiSdkStream,
      openaiAgents,
      openaiRunTools,
      langchain,
      langgraphToolNode,
      mastra,
      mastraStream,
    ]) {
      this.register(builtIn);
    }
  }

  /** Adds a framework adapter by name; another one under a taken name is refused. */
  register(definition: FrameworkDefinition, source = 'built-in'): void {
    this.#frameworks.register(definition.name, definition, source);
  }

  names(): string[] {
    return this.#frameworks.names();
  }

  definitions(): FrameworkDefinition[] {
    return this.#frameworks.values();
  }

  /** The adapter registered under `name`; throws {@link FrameworkError} naming the known ones. */
  definition(name: string): FrameworkDefinition {
    const definition = this.#frameworks.get(name);
    if (!definition) {
      throw new FrameworkError(`Unknown framework \`${name}\`; expected one of ${this.names().join(', ')}`);
    }
    return definition;
  }
}

/** The built-ins alone: what functions given no registry look names up in (never registered into). */
const BUILT_INS = new FrameworkRegistry();

export function formatFrameworkSpec(spec: FrameworkSpec): string {
  const after = spec.version ?? spec.alias;
  return after === undefined ? spec.framework : `${spec.framework}@${after}`;
}

/** Joins the aliases of a spec that replaces several of a framework's packages (never part of an npm name). */
const ALIAS_SEPARATOR = '+';

/** Parses `name`, `name@alias[+alias]` or `name@version-or-range`; throws {@link FrameworkError} naming the fix. */
export function parseFrameworkSpec(text: string, registry: FrameworkRegistry = BUILT_INS): FrameworkSpec {
  const trimmed = text.trim();
  const at = trimmed.indexOf('@', 1);
  const framework = at === -1 ? trimmed : trimmed.slice(0, at);
  registry.definition(framework);
  if (at === -1) return { framework };
  const after = trimmed.slice(at + 1);
  if (after === '')
    throw new FrameworkError(
      `\`${trimmed}\`: nothing after @; name a version (${framework}@1.2.3), a range (${framework}@^6) or an npm alias`,
    );
  if (isReleaseRange(after)) return { framework, version: after };
  if (!after.split(ALIAS_SEPARATOR).every((name) => PACKAGE_NAME.test(name))) {
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
  /** Every package it loads, as installed (an alias where the spec names one), with its version. */
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
    const found = installedDir(name, from);
    // from where Node resolves the package's own imports: its real path (pnpm links packages into a store)
    const dir = found && realpathSync(found);
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
function installHint(spec: FrameworkSpec, definition: FrameworkDefinition, missing: string, from: string): string {
  const aliases = spec.alias?.split(ALIAS_SEPARATOR) ?? [];
  if (aliases.includes(missing)) {
    // it stands for one of the packages the spec's other (installed) aliases do not already replace
    const taken = new Set(aliases.filter((a) => a !== missing).map((a) => installedPackageName(a, from)));
    const meant = definition.packages.filter((p) => !taken.has(p));
    return `\`${formatFrameworkSpec(spec)}\` needs ${meant.join(' or ')} installed under the alias \`${missing}\`; add it with \`npm install --save-dev ${missing}@npm:${meant[0]}@VERSION\``;
  }
  const all = definition.packages.filter((p) => p === missing || !installedDir(p, from));
  return `Framework \`${spec.framework}\` needs ${missing}, which is not installed in this project (${from}); install it with \`npm install --save-dev ${all.join(' ')}\``;
}

/**
 * Each of the framework's packages and the name it is installed under (found from `from`): itself, or the spec's
 * alias of it. Each alias replaces the package it installs, which must be one of the framework's, and no other alias's.
 */
function installedNames(spec: FrameworkSpec, definition: FrameworkDefinition, from: string): Map<string, string> {
  const names = new Map(definition.packages.map((p) => [p, p]));
  for (const alias of spec.alias?.split(ALIAS_SEPARATOR) ?? []) {
    if (!installedDir(alias, from)) throw new FrameworkError(installHint(spec, definition, alias, from));
    const real = installedPackageName(alias, from) ?? alias;
    const packages = definition.packages.join(' or ');
    if (!names.has(real)) {
      throw new FrameworkError(
        `\`${alias}\` is ${real}, not ${packages}: \`${spec.framework}@ALIAS\` needs an alias of ${packages}`,
      );
    }
    if (names.get(real) !== real) {
      throw new FrameworkError(`\`${formatFrameworkSpec(spec)}\` names two aliases of ${real}; name one`);
    }
    names.set(real, alias);
  }
  return names;
}

/**
 * Finds a framework's packages in the user's project, `project` (the working directory; never fanout-bench's own
 * dependencies, which may be other versions), or for a version spec in the release installed on demand, with their
 * versions; one-line error naming the packages to install when one is missing.
 */
export function resolveFramework(
  spec: FrameworkSpec,
  project: string = process.cwd(),
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  registry: FrameworkRegistry = BUILT_INS,
): ResolvedFramework {
  const definition = registry.definition(spec.framework);
  const main = definition.packages[0] as string;
  const release =
    spec.version === undefined
      ? undefined
      : installRelease({ framework: spec.framework, packages: definition.packages, asked: spec.version, project, log });
  const from = release?.dir ?? project;
  const names = installedNames(spec, definition, from);
  const installedAs = names.get(main) as string;
  for (const name of names.values()) {
    if (!installedDir(name, from)) throw new FrameworkError(installHint(spec, definition, name, from));
  }
  const realPackage = installedPackageName(installedAs, from) ?? main;
  const load: ModuleLoader = (specifier) => {
    const replaced = [...names].find(([p]) => specifier === p || specifier.startsWith(`${p}/`));
    return importFrom(replaced ? replaced[1] + specifier.slice(replaced[0].length) : specifier, from);
  };
  return {
    spec,
    label: formatFrameworkSpec(spec),
    definition,
    installedAs,
    package: realPackage,
    version: installedVersion(installedAs, from) ?? 'unknown',
    packages: packagesThatRun([...names.values()], from),
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
