import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../src/executors/policy.ts';
import { queueExecutor } from '../src/executors/queue.ts';
import { startQueueWorker } from '../src/executors/queue-worker.ts';
import { checkRedis, parseRedisUrl, redactRedisUrl } from '../src/executors/redis.ts';
import type { ToolOutcome } from '../src/executors/types.ts';
import { peakOverlap } from '../src/stats/summary.ts';
import { planCall } from '../src/tools/latency.ts';
import { verifyExecutor } from '../src/verify/conformance.ts';
import { cli, testRuntime, weatherCalls } from './helpers.ts';
import { hasRedisServer, NO_REDIS_NOTE, type RedisServer, startRedis } from './redis.ts';

if (!hasRedisServer) process.stderr.write(`${NO_REDIS_NOTE}\n`);

const root = join(import.meta.dirname, '..');

function expectEveryId(outcomes: readonly ToolOutcome[], ids: readonly string[]): void {
  expect(outcomes.map((o) => o.id)).toEqual(ids);
}

describe('Redis URLs', () => {
  it('never shows a password, whatever it holds, and refuses one that cannot be decoded', () => {
    for (const url of ['redis://:se/cret@127.0.0.1:6391', 'redis://user:p@ss/w0rd@host:6379/1', 'redis://:plain@h']) {
      const shown = redactRedisUrl(url);
      expect(shown).toMatch(/:\*\*\*@/);
      expect(shown).not.toMatch(/se\/cret|p@ss|w0rd|plain/);
    }
    expect(() => parseRedisUrl('redis://:s%ecret@127.0.0.1:6391', '`--redis`')).toThrow(/percent-encoding.*%25/);
  });
});

describe.skipIf(!hasRedisServer)('queue(k) on a real Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('keeps every conformance rule, served by an external worker with 2 slots', async () => {
    const worker: Worker = await startQueueWorker({ redisUrl: redis.url, queue: 'conformance', concurrency: 2 });
    try {
      const results = await verifyExecutor(
        (runtime, policy) =>
          queueExecutor(runtime, 2, policy, { redisUrl: redis.url, queue: 'conformance', workers: 'external' }),
        { limit: 2 },
      );
      expect(results.filter((r) => !r.passed)).toEqual([]);
    } finally {
      await worker.close();
    }
  });

  it('refuses external workers whose slots do not add up to k, naming what it found', async () => {
    const worker = await startQueueWorker({ redisUrl: redis.url, queue: 'two-slots', concurrency: 2 });
    try {
      const settings = { redisUrl: redis.url, queue: 'two-slots', workers: 'external' as const };
      await expect(queueExecutor(testRuntime(), 3, DEFAULT_POLICY, settings)).rejects.toThrow(
        /needs workers with 3 slots.*found 2/,
      );
    } finally {
      await worker.close();
    }
  });

  it('runs a batch on 2 worker processes with k slots in all: in-flight peak ≤ k from the workers’ own timings', async () => {
    const runtime = testRuntime({ latencyMs: 30 });
    const executor = await queueExecutor(runtime, 4, DEFAULT_POLICY, {
      redisUrl: redis.url,
      queue: 'peak',
      workers: 2,
    });
    try {
      expect(executor.startupMs).toBeGreaterThan(0);
      const calls = weatherCalls(16, 'peak');
      const outcomes = await executor.run(calls);
      expectEveryId(
        outcomes,
        calls.map((c) => c.id),
      );
      expect(outcomes.every((o) => o.status === 'ok')).toBe(true);
      const peak = peakOverlap(outcomes, 1);
      expect(peak).toBeLessThanOrEqual(4);
      expect(peak).toBeGreaterThanOrEqual(3); // calls did run side by side, across both processes
      for (const o of outcomes) expect(o.endedMs - o.startedMs).toBeGreaterThanOrEqual(29); // the worker's own clock
    } finally {
      await executor.close();
    }
  });

  it('answers every id when worker processes are killed mid-batch: recovered on a live worker, dead ones replaced', async () => {
    const runtime = testRuntime({ latencyMs: 20, faults: { failRate: 0, hangRate: 0, crashRate: 0.25 } });
    const calls = weatherCalls(8, 'crash');
    const crashing = calls.filter((c) => planCall(runtime.config, c.id, c.name).fault === 'crash');
    expect(crashing.length).toBeGreaterThan(0);
    const executor = await queueExecutor(runtime, 4, DEFAULT_POLICY, {
      redisUrl: redis.url,
      queue: 'crash',
      workers: 2,
    });
    try {
      const outcomes = await executor.run(calls);
      expectEveryId(
        outcomes,
        calls.map((c) => c.id),
      );
      for (const c of crashing) expect(outcomes.find((o) => o.id === c.id)?.status).not.toBe('timeout');
      expect(executor.recoveriesMs.length).toBeGreaterThanOrEqual(crashing.length);
      // recovery takes about lockDuration (3 s) + a stall check (≤ 1 s): seconds, not BullMQ's default minute
      for (const ms of executor.recoveriesMs) expect(ms).toBeLessThan(10_000);
      await executor.ready();
      expect(executor.replacementsMs.length).toBeGreaterThan(0);
    } finally {
      await executor.close();
    }
  });

  it('times a call out from when a worker took it, not from the enqueue: waiting for a slot is not late', async () => {
    // 6 calls of 30 ms on one slot: the last waits 150 ms in the queue, far past its 60 ms deadline, and is on time
    const runtime = testRuntime({ latencyMs: 30 });
    const policy = { ...DEFAULT_POLICY, timeoutMs: 60 };
    const executor = await queueExecutor(runtime, 1, policy, { redisUrl: redis.url, queue: 'waits', workers: 1 });
    try {
      const outcomes = await executor.run(weatherCalls(6, 'waits'));
      expect(outcomes.map((o) => o.status)).toEqual(new Array(6).fill('ok'));
      expect(Math.max(...outcomes.map((o) => o.endedMs))).toBeGreaterThan(150);
    } finally {
      await executor.close();
    }
  });

  it('ends a call not recovered within --timeout as a timeout, and removes its job before the next batch', async () => {
    const runtime = testRuntime({ latencyMs: 20, faults: { failRate: 0, hangRate: 0, crashRate: 0.25 } });
    const policy = { ...DEFAULT_POLICY, timeoutMs: 300 };
    const calls = weatherCalls(8, 'crash');
    const executor = await queueExecutor(runtime, 2, policy, { redisUrl: redis.url, queue: 'deadline', workers: 1 });
    try {
      const outcomes = await executor.run(calls);
      expectEveryId(
        outcomes,
        calls.map((c) => c.id),
      );
      expect(outcomes.some((o) => o.status === 'timeout')).toBe(true);
      await executor.ready();
      const safe = weatherCalls(8, 'after').filter((c) => planCall(runtime.config, c.id, c.name).fault === 'none');
      const next = await executor.run(safe);
      expect(next.map((o) => o.status)).toEqual(safe.map(() => 'ok'));
    } finally {
      await executor.close();
    }
  });
});

describe.skipIf(!hasRedisServer)('Redis down', () => {
  it('before a run: a one-line error within seconds, password redacted, exit 2 before anything is measured', async () => {
    const down = await startRedis({ password: 'hunter2' });
    await down.stop();
    const started = performance.now();
    await expect(checkRedis(down.url)).rejects.toThrow(/Cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/);
    expect(performance.now() - started).toBeLessThan(5000);
    const { code, stdout, stderr } = await cli([
      'bench',
      '--executors',
      'queue(2)',
      '--redis',
      down.url,
      '--out',
      tmpdir(),
    ]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(':***@');
    expect(stderr + stdout).not.toContain('hunter2');
  });

  it('during a run: every call id still gets an error outcome, and close() stops the workers', async () => {
    const redis = await startRedis();
    const executor = await queueExecutor(testRuntime({ latencyMs: 2000 }), 2, DEFAULT_POLICY, {
      redisUrl: redis.url,
      queue: 'down',
      workers: 1,
    });
    const pids = executor.workerPids;
    expect(pids).toHaveLength(1);
    const calls = weatherCalls(4, 'down');
    const running = executor.run(calls);
    setTimeout(() => void redis.stop(), 200);
    const started = performance.now();
    const outcomes = await running;
    expect(performance.now() - started).toBeLessThan(2000); // not the calls' 2 s latency: the loss ends them
    expectEveryId(
      outcomes,
      calls.map((c) => c.id),
    );
    expect(outcomes.every((o) => o.status === 'error')).toBe(true);
    expect((outcomes[0] as { error: string }).error).toMatch(/lost Redis/);
    const after = await executor.run(weatherCalls(2, 'after'));
    expect(after.map((o) => o.status)).toEqual(['error', 'error']);
    // between samples the bench asks the executor to be ready: without Redis the cell is an error, not a result
    await expect(executor.ready()).rejects.toThrow(/lost Redis/);
    await executor.close();
    const alive = (pid: number) => {
      try {
        return process.kill(pid, 0);
      } catch {
        return false;
      }
    };
    expect(pids.filter(alive)).toEqual([]);
  });
});

describe.skipIf(!hasRedisServer)('the CLI', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis({ password: 's3cret-pw' });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('validates the worker command’s flags like every other: one line, exit 2', async () => {
    for (const [args, message] of [
      [['--concurrency', 'abc'], /Expected `--concurrency` to be a whole number from 1 to 1000, got `abc`/],
      [['--concurrency', '0'], /Expected `--concurrency`/],
      [['--redis', 'http://x'], /Expected `--redis` to be a Redis URL/],
      [['--queue', 'a:b'], /Expected `--queue`/],
    ] as const) {
      const { code, stderr } = await cli(['worker', ...args]);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
    }
    const workers = await cli(['bench', '--executors', 'queue(2)', '--workers', '0']);
    expect([workers.code, workers.stderr.trim()]).toEqual([
      2,
      'Error: Expected `--workers` to be a whole number from 1 to 64, got `0`',
    ]);
  });

  it('serves the bench as `fanout-bench worker` (external), and stops on SIGTERM', async () => {
    const worker: ChildProcess = spawn(
      process.execPath,
      ['bin/fanout-bench.js', 'worker', '--redis', redis.url, '--queue', 'cli-external', '--concurrency', '2'],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await expect.poll(() => stderr, { timeout: 15_000 }).toContain('serving queue `cli-external`');
      expect(stderr).not.toContain('s3cret-pw');
      const out = mkdtempSync(join(tmpdir(), 'fanout-queue-'));
      const bench = await cli([
        ...['bench', '--executors', 'queue(2)', '--calls', '2', '--latency', '5', '--iterations', '2', '--quiet'],
        ...['--redis', redis.url, '--queue', 'cli-external', '--external-workers', '--out', out],
      ]);
      expect(bench.stderr).toBe('');
      expect(bench.code).toBe(0);
      const written = readFileSync(join(out, 'latest.json'), 'utf8');
      expect(bench.stdout + written).not.toContain('s3cret-pw');
      expect(JSON.parse(written).config.queue).toEqual({
        redis: `redis://:***@127.0.0.1:${redis.port}`,
        queue: 'cli-external',
        workers: 'external',
      });
      expect(bench.stdout).toContain('queue(k) on redis://:***@');
    } finally {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(stderr).toContain('stopped');
  });
});
