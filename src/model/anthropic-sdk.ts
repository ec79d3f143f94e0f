import type * as AnthropicSdk from '@anthropic-ai/sdk';
import { onDemand } from '../core/packages.ts';

/**
 * The Anthropic SDK, imported on first use: most runs never speak the Messages API, and importing it costs about
 * 0.3 s of every CLI start.
 */
export const loadAnthropic = onDemand<typeof AnthropicSdk>(() => import('@anthropic-ai/sdk'));

/** Whether `client` is an Anthropic SDK client (false while the SDK was never loaded: none can exist then). */
export function isAnthropicClient(client: unknown): client is AnthropicSdk.Anthropic {
  const sdk = loadAnthropic.loaded;
  return sdk !== undefined && client instanceof sdk.Anthropic;
}

/** Whether `error` is the Anthropic SDK's "could not connect". */
export function isAnthropicConnectionError(error: unknown): boolean {
  const sdk = loadAnthropic.loaded;
  return sdk !== undefined && error instanceof sdk.APIConnectionError;
}
