import type { ResultsDocument } from '../results/document.ts';
import { serializeResults } from '../results/store.ts';

export function serialize(results: ResultsDocument): string {
  return serializeResults(results);
}
