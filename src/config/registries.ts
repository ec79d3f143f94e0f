import { ExecutorRegistry } from '../executors/registry.ts';
import { FrameworkRegistry } from '../frameworks/registry.ts';
import { ToolRegistry } from '../tools/registry.ts';
import { SuiteRegistry } from './suites.ts';

/**
 * Every extension point's names in one place: tools, executors, frameworks and suites. The CLI makes one per
 * process (`createRegistries`), a config is applied to it (`applyConfig`), and it is passed down: no module keeps
 * one of its own.
 */
export interface Registries {
  tools: ToolRegistry;
  executors: ExecutorRegistry;
  frameworks: FrameworkRegistry;
  suites: SuiteRegistry;
}

/** Fresh registries holding the built-ins alone. */
export function createRegistries(): Registries {
  return {
    tools: new ToolRegistry(),
    executors: new ExecutorRegistry(),
    frameworks: new FrameworkRegistry(),
    suites: new SuiteRegistry(),
  };
}
