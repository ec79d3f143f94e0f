/** Matrix flags as commander hands them over (strings, unparsed). */
export interface MatrixFlags {
  suite?: string;
  executors?: string;
  calls?: string;
  limits?: string;
  kind?: string;
  latency?: string;
  profile?: string;
  seed?: string;
  iterations?: string;
  /** false with `--no-reference`. */
  reference?: boolean;
  failRate?: string;
  hangRate?: string;
  crashRate?: string;
  rateLimit?: string;
  timeout?: string;
  retries?: string;
  backoff?: string;
  errorPolicy?: string;
  mode?: string;
  scenario?: string;
  plan?: string;
  planModes?: string;
  api?: string;
  dispatch?: string;
  modelLatency?: string;
  streamDelay?: string;
  tokensPerSecond?: string;
  modelProfile?: string;
  ignoreAbort?: boolean;
  tools?: string;
  frameworks?: string;
  config?: string;
}
