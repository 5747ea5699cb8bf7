/** The engine's compute pool: workers started ahead of a job, and what they compute equals the same call in place. */
import fs from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { WorkerPool } from '../../electron/host/compute/workerPool';
import { evaluateCategory } from '../../electron/host/evaluation/evaluationFigures';

const pool = new WorkerPool(2);
afterAll(() => pool.close());

const threads = () => Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]);

it.runIf(fs.existsSync('/proc/self/status'))(
  'prestart boots every worker before any task arrives (an evaluation boots them while DuckDB scans), and they then take tasks',
  async () => {
    const before = threads();
    pool.prestart();
    expect(threads()).toBeGreaterThanOrEqual(before + 2);
    const pairs = () => ({
      scores: Float64Array.from([0.1, 0.4, 0.35, 0.8, 0.8, 0.95]),
      codes: Int8Array.from([0, 0, 1, 1, 0, 1]),
    });
    const args: Parameters<typeof evaluateCategory> = [
      'spam',
      pairs(),
      [],
      5,
      { remove: 0.9, escalate: 0.5 },
      false,
      1,
    ];
    const inPool = await Promise.all([pool.run('evaluateCategory', args), pool.run('evaluateCategory', args)]);
    expect(inPool[0]).toEqual(evaluateCategory(...args));
    expect(inPool[1]).toEqual(inPool[0]);
  },
);
