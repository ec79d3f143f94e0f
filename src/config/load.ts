import { existsSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { errorMessage, firstLine } from '../core/errors.ts';
import { defaultExport, importModule } from '../core/import-module.ts';
import { DEFAULT_POLICY } from '../executors/policy.ts';
import { NO_FAULTS } from '../tools/config.ts';
import { looksLikeProfilePath } from '../tools/recorded.ts';
import { registerRecordedTools, shownPath } from '../tools/recorded-tools.ts';
import type { FanoutConfig } from './define.ts';
import type { Registries } from './registries.ts';
import { defaultSuite } from './suites.ts';
import { ConfigError, checkConfig } from './validate.ts';

/** File names looked for in the working directory, in this order. */
export const CONFIG_NAMES = ['fanout.config.ts', 'fanout.config.mts', 'fanout.config.js', 'fanout.config.mjs'];
/** What `--config` may name: modules Node (with tsx for TypeScript) imports. */
const CONFIG_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** A config as loaded: the module's default export, checked, with where it came from. */
export interface LoadedConfig {
  /** Absolute path. */
  file: string;
  /** As shown in messages: relative to the working directory. */
  shown: string;
  config: FanoutConfig;
  /** The config's recorded profile, resolved against the config's folder. */
  profileFile?: string;
}

const loaded = new Map<string, Promise<LoadedConfig>>();
/** The configs applied to each registries object (applying one twice is a no-op). */
const applied = new WeakMap<Registries, WeakSet<LoadedConfig>>();

/** `fanout.config.*` in `cwd`, or undefined; two of them at once is ambiguous and refused. */
export function findConfigFile(cwd = process.cwd()): string | undefined {
  const found = CONFIG_NAMES.filter((name) => existsSync(join(cwd, name)));
  if (found.length > 1) {
    throw new ConfigError(`Found ${found.join(' and ')}; keep one, or pick one with \`--config FILE\``);
  }
  return found[0] === undefined ? undefined : join(cwd, found[0]);
}

/** Imports and checks a config file; errors are one line naming the file (and the field). Cached per path. */
export function loadConfigFile(path: string): Promise<LoadedConfig> {
  const file = resolve(path);
  let promise = loaded.get(file);
  if (!promise) {
    promise = (async () => {
      const shown = shownPath(file);
      if (!existsSync(file)) throw new ConfigError(`${shown}: config file not found; check \`--config\``);
      if (!CONFIG_EXTENSIONS.includes(extname(file))) {
        throw new ConfigError(
          `${shown}: a config is a module that exports it: ${CONFIG_EXTENSIONS.join(', ')} (e.g. fanout.config.ts), not ${extname(file) || 'a file without an extension'}`,
        );
      }
      let module: unknown;
      try {
        module = await importModule(file);
      } catch (error) {
        const lines = errorMessage(error)
          .split('\n')
          .filter((l) => l.trim() !== '');
        // esbuild's first line is only "Transform failed with 1 error:"; the next one says where and what
        const detail = lines[0]?.startsWith('Transform failed') && lines[1] ? lines[1].trim() : (lines[0] ?? '');
        throw new ConfigError(`${shown}: cannot load: ${detail}`);
      }
      let exported: unknown;
      try {
        exported = await defaultExport(module); // a Promise of a config is awaited
        return finishLoad(file, shown, checkConfig(exported, shown));
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        // a getter or proxy in the config that throws while it is read
        throw new ConfigError(`${shown}: ${firstLine(error)}`);
      }
    })();
    loaded.set(file, promise);
  }
  return promise;
}

function finishLoad(file: string, shown: string, config: FanoutConfig): LoadedConfig {
  const profileFile = config.profile === undefined ? undefined : resolve(dirname(file), config.profile);
  return { file, shown, config, ...(profileFile ? { profileFile } : {}) };
}

/**
 * Registers what a config declares through the same calls the built-ins use: tools, executors, then suites (a
 * suite may name both). A name that is taken is refused with the file and field.
 */
export function applyConfig(loadedConfig: LoadedConfig, registries: Registries): void {
  const done = applied.get(registries) ?? new WeakSet<LoadedConfig>();
  applied.set(registries, done);
  if (done.has(loadedConfig)) return;
  const { config, shown, file } = loadedConfig;
  const register = (field: string, action: () => void) => {
    try {
      action();
    } catch (error) {
      throw new ConfigError(`${shown}: ${field}: ${errorMessage(error)}`);
    }
  };
  for (const [i, tool] of (config.tools ?? []).entries())
    register(`tools[${i}]`, () => registries.tools.register(tool, shown));
  for (const [i, executor] of (config.executors ?? []).entries()) {
    register(`executors[${i}]`, () => registries.executors.register(executor, shown));
  }
  for (const [i, framework] of (config.frameworks ?? []).entries()) {
    register(`frameworks[${i}]`, () => registries.frameworks.register(framework, shown));
  }
  // the recorded profile's tools become callable by name (and a bad file fails here, naming itself)
  if (loadedConfig.profileFile)
    register('profile', () => registerRecordedTools(registries.tools, loadedConfig.profileFile as string));
  const base = defaultSuite();
  for (const [name, suite] of Object.entries(config.suites ?? {})) {
    const profile = suite.profile;
    const recorded = profile !== undefined && looksLikeProfilePath(profile);
    register(`suites.${name}`, () =>
      registries.suites.register(
        name,
        {
          ...base,
          description: `${suite.description ?? 'user suite'} (${shown})`,
          ...Object.fromEntries(
            Object.entries(suite).filter(([key]) => !['description', 'faults', 'policy', 'profile'].includes(key)),
          ),
          faults: { ...NO_FAULTS, ...suite.faults },
          ...(suite.agent
            ? {
                agent: {
                  api: 'chat' as const,
                  dispatch: 'after-stream' as const,
                  ...suite.agent,
                  // with several modes, `api` and `dispatch` name the first
                  ...suite.agent.modes?.[0],
                },
              }
            : {}),
          ...(suite.policy ? { policy: { ...DEFAULT_POLICY, ...suite.policy } } : {}),
          ...(profile === undefined || recorded ? {} : { profile: profile as typeof base.profile }),
          ...(recorded ? { recordedFile: resolve(dirname(file), profile) } : {}),
        },
        shown,
      ),
    );
  }
  done.add(loadedConfig);
}

/**
 * Finds (or takes `--config`) the user's config in `cwd`, loads it and applies it to `registries`. Returns
 * undefined when there is none; the CLI keeps what it returns and passes it on.
 */
export async function setupConfig(
  explicit: string | undefined,
  registries: Registries,
  cwd = process.cwd(),
): Promise<LoadedConfig | undefined> {
  const file = explicit === undefined ? findConfigFile(cwd) : resolve(cwd, explicit);
  if (file === undefined) return undefined;
  const config = await loadConfigFile(file);
  applyConfig(config, registries);
  return config;
}
