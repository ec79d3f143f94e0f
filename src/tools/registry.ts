import { Registry } from '../core/registry.ts';
import { builtInTools, type ChatFunctionTool } from './catalog.ts';
import type { ToolDefinition } from './definition.ts';
import { ToolError } from './errors.ts';

/** A function name the APIs accept. */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export interface RegisteredTool {
  // biome-ignore lint/suspicious/noExplicitAny: a registry holds tools of every argument shape
  definition: ToolDefinition<any>;
  /** `built-in`, the config file that declared it, or the recorded profile it came from. */
  source: string;
}

/**
 * Every tool a run can call, by name: the built-in catalog (`fixtures/tools.json`), a config's tools and the tools
 * of recorded profiles, registered through the same call. The CLI makes one per process and passes it on; a worker
 * thread makes its own.
 */
export class ToolRegistry {
  // biome-ignore lint/suspicious/noExplicitAny: see RegisteredTool
  readonly #tools = new Registry<ToolDefinition<any>>('tool', {
    pattern: TOOL_NAME,
    rule: 'be 1-64 letters, digits, _ or -',
  });

  /** A registry holding the built-in catalog (none with `builtIns: false`: a replay's tools are its trace's). */
  constructor(options: { builtIns?: boolean } = {}) {
    if (options.builtIns === false) return;
    for (const definition of builtInTools()) this.register(definition, 'built-in');
  }

  /**
   * Adds a tool by name. Registering the same definition object again is a no-op; another tool under a taken name
   * is refused.
   */
  // biome-ignore lint/suspicious/noExplicitAny: see RegisteredTool
  register(definition: ToolDefinition<any>, source: string): void {
    this.#tools.register(definition.name, definition, source);
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** Every registered tool, built-ins first. */
  entries(): RegisteredTool[] {
    return this.#tools.entries().map(([, { value, source }]) => ({ definition: value, source }));
  }

  /** The tool a call names; throws {@link ToolError} (the model hears about it) when there is none. */
  named(name: string): RegisteredTool {
    const definition = this.#tools.get(name);
    if (!definition) throw new ToolError(`unknown tool "${name}"`);
    return { definition, source: this.#tools.source(name) ?? 'built-in' };
  }

  /** Every registered tool's definition (built-in, from a config, from a recorded profile). */
  // biome-ignore lint/suspicious/noExplicitAny: see RegisteredTool
  definitions(): ToolDefinition<any>[] {
    return this.#tools.values();
  }

  names(): string[] {
    return this.#tools.names();
  }

  /** Every registered tool in the form the Chat Completions API takes. */
  chatTools(): ChatFunctionTool[] {
    return this.definitions().map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
  }
}
