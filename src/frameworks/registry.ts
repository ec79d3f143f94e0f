import { aiSdk, aiSdkStream } from './adapters/ai-sdk.ts';
import { langchain, langgraphToolNode } from './adapters/langchain.ts';
import { mastra, mastraStream } from './adapters/mastra.ts';
import { openaiAgents } from './adapters/openai-agents.ts';
import { openaiRunTools } from './adapters/openai-runtools.ts';
import type { FrameworkDefinition, ModuleLoader } from './definition.ts';
import { installedDir, installedPackageName, installedVersion, PACKAGE_NAME } from './packages.ts';

export { defineFramework, type FrameworkDefinition } from './definition.ts';

/** Bad framework input (unknown name, package not installed): one line, exit 2. */
export class FrameworkError extends Error {
  override name = 'FrameworkError';
}

/**
 * `openai-runtools`, or `openai-runtools@openai-6-44`: the framework with its main package from an npm alias; or
 * `ai-sdk@ai-6+ai-sdk-openai-3`: several of its packages from aliases, each replacing the package it installs.
 */
export interface FrameworkSpec {
  framework: string;
  /**
   * Installed names that replace the framework's packages (npm aliases such as `openai-6-44`), joined by `+`: each
   * replaces the package it is an alias of.
   */
  alias?: string;
}

const registry = new Map<string, FrameworkDefinition>();

/** Adds a framework adapter by name; the built-ins are registered through this call. */
export function registerFramework(definition: FrameworkDefinition): void {
  const existing = registry.get(definition.name);
  if (existing === definition) return;
  if (existing) throw new Error(`framework \`${definition.name}\` is already defined; pick another name`);
  registry.set(definition.name, definition);
}

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
  return spec.alias === undefined ? spec.framework : `${spec.framework}@${spec.alias}`;
}

/** Joins the aliases of a spec that replaces several of a framework's packages (never part of an npm name). */
const ALIAS_SEPARATOR = '+';

/** Parses `name`, `name@alias` or `name@alias+alias`; throws {@link FrameworkError} naming the known frameworks. */
export function parseFrameworkSpec(text: string): FrameworkSpec {
  const trimmed = text.trim();
  const at = trimmed.indexOf('@', 1);
  const framework = at === -1 ? trimmed : trimmed.slice(0, at);
  frameworkDefinition(framework);
  if (at === -1) return { framework };
  const alias = trimmed.slice(at + 1);
  if (!alias.split(ALIAS_SEPARATOR).every((name) => PACKAGE_NAME.test(name))) {
    throw new FrameworkError(
      `\`${trimmed}\`: after @ comes the installed name of an npm alias, e.g. ${framework}@openai-6-44`,
    );
  }
  return { framework, alias };
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
  load: ModuleLoader;
}

/** How a user installs what a framework needs. */
function installHint(spec: FrameworkSpec, missing: string): string {
  const definition = frameworkDefinition(spec.framework);
  const aliases = spec.alias?.split(ALIAS_SEPARATOR) ?? [];
  if (aliases.includes(missing)) {
    // the first alias is taken for the main package, a later one for any of the others
    const meant = aliases[0] === missing ? [definition.packages[0] as string] : definition.packages.slice(1);
    return `\`${formatFrameworkSpec(spec)}\` needs ${meant.join(' or ')} installed under the alias \`${missing}\`; add it with \`npm install --save-dev ${missing}@npm:${meant[0]}@VERSION\``;
  }
  const all = definition.packages.filter((p) => p === missing || !installedDir(p));
  return `Framework \`${spec.framework}\` needs ${missing}, which is not installed where fanout-bench is; install it with \`npm install --save-dev ${all.join(' ')}\``;
}

/**
 * Each of the framework's packages and the name it is installed under: itself, or the spec's alias of it. Each alias
 * replaces the package it installs, which must be one of the framework's, and no other alias's.
 */
function installedNames(spec: FrameworkSpec, definition: FrameworkDefinition): Map<string, string> {
  const names = new Map(definition.packages.map((p) => [p, p]));
  for (const alias of spec.alias?.split(ALIAS_SEPARATOR) ?? []) {
    if (!installedDir(alias)) throw new FrameworkError(installHint(spec, alias));
    const real = installedPackageName(alias) ?? alias;
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

/** Finds a framework's packages (one-line error naming the package to install when one is missing) and its version. */
export function resolveFramework(spec: FrameworkSpec): ResolvedFramework {
  const definition = frameworkDefinition(spec.framework);
  const main = definition.packages[0] as string;
  const names = installedNames(spec, definition);
  const installedAs = names.get(main) as string;
  for (const name of names.values()) {
    if (!installedDir(name)) throw new FrameworkError(installHint(spec, name));
  }
  const realPackage = installedPackageName(installedAs) ?? main;
  const load: ModuleLoader = (specifier) => {
    const replaced = [...names].find(([p]) => specifier === p || specifier.startsWith(`${p}/`));
    return import(replaced ? replaced[1] + specifier.slice(replaced[0].length) : specifier);
  };
  return {
    spec,
    label: formatFrameworkSpec(spec),
    definition,
    installedAs,
    package: realPackage,
    version: installedVersion(installedAs) ?? 'unknown',
    packages: Object.fromEntries([...names.values()].map((name) => [name, installedVersion(name) ?? 'unknown'])),
    load,
  };
}
