export { findJsonError, type JsonErrorPosition } from '../core/json-syntax.ts';
export { chatChunks, eventStream } from './chat-stream.ts';
export {
  DEFAULT_ARGUMENT_FRAGMENT_CHARS,
  type ModelMockCounters,
  OPENAI_BASE_URL,
  type StreamSettings,
} from './context.ts';
export { functionCallItemId, scriptedCallId } from './ids.ts';
export {
  FANOUT_CITIES,
  FANOUT_MODEL_LATENCY_MS,
  fanoutScenario,
  listScenarios,
  loadScenario,
  scenariosDir,
} from './load.ts';
export { createMockClient, createModelMock, type ModelMock, type ModelMockOptions } from './mock-server.ts';
export { findReferences, type Reference, type Substitution, substitute } from './references.ts';
export { MAX_STORED_RESPONSES, type StoredResponse } from './responses.ts';
export {
  type ChatRequestMessage,
  checkChatMessages,
  checkFunctionOutputs,
  type FunctionCallOutput,
  missingToolMessages,
  TOOL_WITHOUT_CALL,
  type Violation,
} from './rules.ts';
export {
  type AnswerTurn,
  type CallTurn,
  isAnswerTurn,
  parseScenario,
  type Scenario,
  type ScenarioCall,
  ScenarioError,
  type ScenarioTurn,
  validateScenario,
} from './scenario.ts';
export {
  advance,
  nextStep,
  type Progress,
  progressAfter,
  progressFromIds,
  START,
  type Step,
  type StepOptions,
} from './script.ts';
export { assembleToolCalls, StreamAccumulator, type StreamChunk, type ToolCallDelta } from './stream.ts';
