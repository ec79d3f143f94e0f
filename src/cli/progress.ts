import { formatMode } from '../agent/types.ts';
import type { MatrixEvent } from '../bench/matrix.ts';
import { formatSpec } from '../executors/registry.ts';

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Renders matrix events as one updating status line on stderr: group i of n, the sample in progress and the
 * time left (elapsed × remaining nominal work ÷ done nominal work). Silent unless stderr is a TTY.
 */
export function progressRenderer(stream: NodeJS.WriteStream = process.stderr): {
  onEvent: (event: MatrixEvent) => void;
  done: () => void;
} {
  const started = performance.now();
  let group = '';
  let drawn = false;
  const draw = (text: string) => {
    stream.write(`\r\x1b[2K${text}`);
    drawn = true;
  };
  return {
    onEvent(event) {
      if (event.type === 'group-start') {
        const frameworks = event.group.frameworks?.length ? ` + ${event.group.frameworks.length} frameworks` : '';
        group = `[${event.index + 1}/${event.total}] ${event.group.kind} ${event.group.calls === 0 ? 'agent runs' : `${event.group.calls} calls`}${event.group.mode ? ` ${formatMode(event.group.mode)}` : ''} (${event.group.specs.map(formatSpec).length} executors${frameworks})`;
        draw(`${group} · starting`);
      } else if (event.type === 'sample' && event.doneCost > 0) {
        const elapsed = performance.now() - started;
        const left = (elapsed * (event.totalCost - event.doneCost)) / event.doneCost;
        draw(`${group} · ${event.executor} round ${event.round + 1} · ${formatDuration(left)} left`);
      }
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
