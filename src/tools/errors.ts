/** A tool call that failed in a way the model should hear about (bad arguments, unknown tool, injected fault). */
export class ToolError extends Error {
  override name = 'ToolError';
}

/** A call that ran past its deadline. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** A call stopped by its caller's signal. */
export class AbortError extends Error {
  override name = 'AbortError';
}

/** A tool that refused the call for now ("429, retry after"): retryable. */
export class RateLimitError extends Error {
  override name = 'RateLimitError';
}
