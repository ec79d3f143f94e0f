import type { ToolCall } from '../executors/types.ts';

const CITIES = ['Tokyo', 'Beijing', 'LA', 'London', 'San Francisco', 'New York'];
const TICKERS = ['AAPL', 'GOOGL', 'MSFT'];
const TOPICS = ['AI', 'climate', 'markets'];

/** The i-th call of a synthetic fan-out: read-only tools in rotation, so a batch has no side effects. */
function syntheticCall(id: string, i: number): ToolCall {
  const pick = <T>(list: readonly T[]) => list[Math.floor(i / 4) % list.length] as T;
  switch (i % 4) {
    case 0:
      return { id, name: 'get_weather', arguments: JSON.stringify({ city: pick(CITIES) }) };
    case 1:
      return { id, name: 'get_stock_price', arguments: JSON.stringify({ ticker: pick(TICKERS) }) };
    case 2:
      return { id, name: 'get_news_headlines', arguments: JSON.stringify({ topic: pick(TOPICS) }) };
    default:
      return { id, name: 'get_exchange_rate', arguments: JSON.stringify({ from_currency: 'USD', to_currency: 'JPY' }) };
  }
}

/**
 * `count` calls whose ids start with `prefix`. Latencies and faults are drawn from the ids, so every strategy
 * given the same prefix (one round of one cell) meets exactly the same latencies.
 */
export function syntheticBatch(prefix: string, count: number): ToolCall[] {
  return Array.from({ length: count }, (_, i) => syntheticCall(`${prefix}-c${i}`, i));
}
