/**
 * The engine's compute pool: workers started ahead of a job, what they compute equals the same call in place, and
 * the worker finds the code of every task a feature folder declares (the pool itself knows none).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type AnyComputeTask, computeTask } from '../../electron/host/compute/computeTask';
import { WorkerPool } from '../../electron/host/compute/workerPool';
import { COMPUTE_TASKS } from '../../electron/host/computeTasks';
import { evaluateCategoryTask } from '../../electron/host/evaluation/computeTasks';
import { evaluateCategory } from '../../electron/host/evaluation/evaluationFigures';
import { clusterNearDuplicatesTask } from '../../electron/host/spikes/computeTasks';
import { clusterNearDuplicates } from '../../shared/nearDuplicates';

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
    const inPool = await Promise.all([pool.run(evaluateCategoryTask, args), pool.run(evaluateCategoryTask, args)]);
    expect(inPool[0]).toEqual(evaluateCategory(...args));
    expect(inPool[1]).toEqual(inPool[0]);
  },
);

it("the worker's registry holds every task a feature folder declares, and runs one by its name", async () => {
  const hostDir = path.resolve('electron/host');
  const declared: string[] = [];
  for (const folder of fs.readdirSync(hostDir)) {
    const file = path.join(hostDir, folder, 'computeTasks.ts');
    if (!fs.existsSync(file)) continue;
    const exported = Object.values(await import(file)) as unknown[];
    for (const value of exported.flat())
      if (value && typeof value === 'object' && 'name' in value && 'run' in value)
        declared.push((value as AnyComputeTask).name);
  }
  expect(declared.length).toBeGreaterThanOrEqual(6);
  expect(new Set(COMPUTE_TASKS.map((task) => task.name))).toEqual(new Set(declared));

  const texts = ['buy cheap pills now', 'buy cheap pills now!', 'a quiet note about the weather'];
  expect(await pool.run(clusterNearDuplicatesTask, [texts, 0.5, 3])).toEqual(clusterNearDuplicates(texts, 0.5, 3));
});

it('a task the worker does not know fails with its name, and the worker keeps serving', async () => {
  const unregistered = computeTask('tests.notRegistered', (n: number) => n + 1);
  await expect(pool.run(unregistered, [1])).rejects.toThrow(/no task named tests\.notRegistered/);
  const args: Parameters<typeof evaluateCategory> = [
    'spam',
    { scores: Float64Array.from([0.2, 0.9]), codes: Int8Array.from([0, 1]) },
    [],
    5,
    { remove: 0.9, escalate: 0.5 },
    false,
    1,
  ];
  expect(await pool.run(evaluateCategoryTask, args)).toEqual(evaluateCategory(...args));
});
