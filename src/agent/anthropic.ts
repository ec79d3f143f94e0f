import type * as AnthropicSdk from '@anthropic-ai/sdk';

let sdk: typeof AnthropicSdk | undefined;

/**
 * The Anthropic SDK, imported on first use: most runs never speak the Messages API, and importing it costs about
 * 0.3 s of every CLI start.
 */
export async function loadAnthropic(): Promise<typeof AnthropicSdk> {
  sdk ??= await import('@anthropic-ai/sdk');
  return sdk;
}

/** Whether `client` is an Anthropic SDK client (false while the SDK was never loaded: none can exist then). */
export function isAnthropicClient(client: unknown): client is AnthropicSdk.Anthropic {
  return sdk !== undefined && client instanceof sdk.Anthropic;
}

/** Whether `error` is the Anthropic SDK's "could not connect". */
export function isAnthropicConnectionError(error: unknown): boolean {
  return sdk !== undefined && error instanceof sdk.APIConnectionError;
}
