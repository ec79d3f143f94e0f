import { Registry } from '../core/registry.ts';
import { parseArguments } from './arguments.ts';
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

// biome-ignore lint/suspicious/noExplicitAny: see RegisteredTool
let registry: Registry<ToolDefinition<any>> | undefined;

/** The registry, with the built-in catalog registered on first use (it is read from `fixtures/tools.json`). */
function tools() {
  if (!registry) {
    registry = new Registry('tool', { pattern: TOOL_NAME, rule: 'be 1-64 letters, digits, _ or -' });
    for (const definition of builtInTools()) registry.register(definition.name, definition, 'built-in');
  }
  return registry;
}

/**
 * Adds a tool by name; the built-in catalog is registered the same way. Registering the same definition object
 * again is a no-op; another tool under a taken name is refused.
 */
// biome-ignore lint/suspicious/noExplicitAny: see RegisteredTool
export function registerTool(definition: ToolDefinition<any>, source: string): void {
  tools().register(definition.name, definition, source);
}

export function hasTool(name: string): boolean {
  return tools().has(name);
}

/** Every registered tool, built-ins first. */
export function registeredTools(): RegisteredTool[] {
  return tools()
    .entries()
    .map(([, { value, source }]) => ({ definition: value, source }));
}

/** The tool a call names; throws {@link ToolError} (the model hears about it) when there is none. */
export function toolNamed(name: string): RegisteredTool {
  const definition = tools().get(name);
  if (!definition) throw new ToolError(`unknown tool "${name}"`);
  return { definition, source: tools().source(name) ?? 'built-in' };
}

/** Every registered tool's definition (built-in, from a config, from a recorded profile). */
// biome-ignore lint/suspicious/noExplicitAny: see RegisteredTool
export function loadCatalog(): ToolDefinition<any>[] {
  return registeredTools().map((t) => t.definition);
}

export function toolNames(): string[] {
  return tools().names();
}

/** Every registered tool in the form the Chat Completions API takes. */
export function chatTools(): ChatFunctionTool[] {
  return loadCatalog().map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

/** Resolves a call to its tool and checked arguments, or throws {@link ToolError}. */
export function bindCall(name: string, rawArguments: string): RegisteredTool & { args: Record<string, unknown> } {
  const tool = toolNamed(name);
  return { definition: tool.definition, source: tool.source, args: parseArguments(tool.definition, rawArguments) };
}
