/** The public API of fanout-bench: what a program can import instead of shelling out to the CLI. */

export { runInterleaved, type Variant } from './bench/interleave.ts';
export { type MatrixOptions, runMatrix } from './bench/matrix.ts';
export { runBench } from './bench/session.ts';
export {
  createExecutor,
  type ExecutorSpec,
  formatSpec,
  parseSpec,
  STRATEGIES,
  STRATEGY_NAMES,
  type StrategyName,
} from './executors/registry.ts';
export type { Executor, OutcomeStatus, ToolCall, ToolOutcome } from './executors/types.ts';
export { EXPORTERS, type ExportFormat } from './report/index.ts';
export type { BenchConfig, CellResult, ResultsDocument } from './results/document.ts';
export { ResultsFileError, readResults } from './results/store.ts';
export { idealMs } from './stats/ideal.ts';
export { type Estimate, pairedRatio } from './stats/summary.ts';
export { chatTools, type Email, loadCatalog } from './tools/catalog.ts';
export { type ToolRuntimeConfig, toolRuntimeConfig, type WorkloadKind } from './tools/config.ts';
export { calibrateCpu } from './tools/cpu.ts';
export { AbortError, TimeoutError, ToolError } from './tools/errors.ts';
export { ToolRuntime } from './tools/runtime.ts';
