/** The public API of fanout-bench: what a program or a `fanout.config.ts` can import instead of shelling out. */

// measuring
export { runInterleaved, type Variant } from './bench/interleave.ts';
export { type MatrixOptions, runMatrix } from './bench/matrix.ts';
export { type BenchOptions, type RunRegistries, runBench } from './bench/session.ts';
// declaring your own executors, tools, profiles and suites
export { defineConfig, type FanoutConfig, type SuiteSettings } from './config/define.ts';
export {
  applyConfig,
  CONFIG_NAMES,
  findConfigFile,
  type LoadedConfig,
  loadConfigFile,
  setupConfig,
} from './config/load.ts';
export { createRegistries, type Registries } from './config/registries.ts';
export { SuiteRegistry } from './config/suites.ts';
export { ConfigError } from './config/validate.ts';
export { type CallRunner, epochNow, settleCall } from './executors/call.ts';
export {
  type DagOptions,
  type DagRun,
  type DagTask,
  dagExecutor,
  startDag,
} from './executors/dag.ts';
export type { CallPolicy } from './executors/policy.ts';
export {
  createExecutor,
  defineExecutor,
  type ExecutorContext,
  type ExecutorDefinition,
  ExecutorRegistry,
  type ExecutorSpec,
  formatSpec,
  type IdealSchedule,
  parseSpec,
} from './executors/registry.ts';
export type { Executor, OutcomeStatus, ToolCall, ToolOutcome } from './executors/types.ts';
// frameworks under test
export {
  defineFramework,
  type FrameworkAgent,
  type FrameworkSetup,
  type FrameworkTool,
  type ModuleLoader,
} from './frameworks/definition.ts';
export { type ProbeResult, probeFramework } from './frameworks/probe.ts';
export {
  type FrameworkDefinition,
  FrameworkRegistry,
  type FrameworkSpec,
  parseFrameworkSpec,
  resolveFramework,
} from './frameworks/registry.ts';
export { FrameworkSession } from './frameworks/session.ts';
// plans: calls that depend on each other
export {
  loadPlan,
  type Plan,
  PlanError,
  type PlanTask,
  parsePlanJson,
  parsePlanText,
} from './model/plan.ts';
// results
export { EXPORTERS, type ExportFormat } from './report/index.ts';
export type { BenchConfig, CellResult, ResultsDocument } from './results/document.ts';
export { ResultsFileError, readResults } from './results/store.ts';
export { criticalPathMs, dagScheduleMs, idealMs } from './stats/ideal.ts';
export { type Estimate, pairedRatio } from './stats/summary.ts';
export { type ToolRuntimeConfig, toolRuntimeConfig, type WorkloadKind } from './tools/config.ts';
export { calibrateCpu } from './tools/cpu.ts';
export {
  defineTool,
  type Email,
  type JsonSchema,
  type ParameterSchema,
  type ToolContext,
  type ToolDefinition,
} from './tools/definition.ts';
export { AbortError, TimeoutError, ToolError } from './tools/errors.ts';
export {
  drawRecorded,
  profileStats,
  type RecordedProfile,
  type RecordedToolStats,
  readProfile,
} from './tools/recorded.ts';
export { ProfileError } from './tools/recordings/checks.ts';
export { type RegisteredTool, ToolRegistry } from './tools/registry.ts';
export { ToolRuntime, type ToolRuntimeOptions } from './tools/runtime.ts';
export { type RuleResult, verifyExecutor } from './verify/conformance.ts';
