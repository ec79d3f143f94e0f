import type { WorkloadKind } from './config.ts';

/** A JSON schema (OpenAI function-calling style); the harness checks the parts listed in {@link ParameterSchema}. */
export type JsonSchema = Record<string, unknown>;

/** JSON schema of a tool's arguments: an object schema, as the OpenAI and Anthropic APIs take it. */
export interface ParameterSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
  /** @default [] */
  required?: string[];
  /** `false` refuses arguments not named in `properties`. @default true */
  additionalProperties?: boolean;
}

export interface Email {
  from: string;
  to: string;
  message: string;
}

/** What a tool's `execute` gets besides its arguments. */
export interface ToolContext {
  /** Aborts when the call times out or its batch is cancelled; a well-behaved tool stops then. */
  signal?: AbortSignal | undefined;
  /** Where the built-in `send_email` delivers (shown by `fanout-bench run`). */
  mailbox: Email[];
}

/** A tool as built-ins and configs declare it (`defineTool`). */
export interface ToolDefinition<Args = Record<string, unknown>> {
  /** Function name the model calls: letters, digits, `_` or `-`, at most 64. */
  name: string;
  description: string;
  parameters: ParameterSchema;
  /** Does the call's work and returns its result (anything JSON can carry); a throw becomes an error outcome. */
  execute(args: Args, context: ToolContext): unknown;
  /**
   * Where a call's time comes from. `own`: the time `execute` takes (your real tool). `simulated`: the harness
   * first spends the call's drawn latency (`--latency`, `--profile`, `--kind`), then runs `execute`.
   * @default 'own'
   */
  latency?: 'own' | 'simulated';
  /** For the ideal of a tool with its own latency: `cpu` work gets one slot on the main thread. @default 'io' */
  kind?: WorkloadKind;
  /** Arguments a synthetic batch (`bench --tools`) passes, in rotation; generated from the schema when absent. */
  examples?: Args[];
}

/** Returns its argument: a typed way to declare a tool in `fanout.config.ts`. */
export function defineTool<Args = Record<string, unknown>>(tool: ToolDefinition<Args>): ToolDefinition<Args> {
  return tool;
}

/** One tool call as the model returned it. */
export interface ToolCall {
  /** The call id the answer must carry (`tool_call_id` / `call_id`). */
  id: string;
  /** The tool's function name. */
  name: string;
  /** Raw JSON text of the arguments, exactly as the model sent it. */
  arguments: string;
}
