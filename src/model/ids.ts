import type { Scenario } from './scenario.ts';

/** FNV-1a, 8 hex digits: ids look random but the same scenario always gets the same ones. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** The call id of a scripted call: its `id` if the scenario gives one, else `call_<turn>_<index>_<hash>`. */
export function scriptedCallId(scenario: Scenario, turnIndex: number, callIndex: number, explicit?: string): string {
  return explicit ?? `call_${turnIndex}_${callIndex}_${shortHash(`${scenario.name}/${turnIndex}/${callIndex}`)}`;
}

/** The Responses item id that goes with a call id. */
export function functionCallItemId(callId: string): string {
  return `fc_${callId.replace(/^call_/, '')}`;
}
