/**
 * The process layout under load (issue 9): the serving process only routes, so its event loop stays free while the
 * engine evaluates and re-scores a million items; and a killed engine is back quickly. The same evaluation run in
 * the serving process (the layout before the engine process) is measured in the same run, as the baseline.
 */
import { execFile } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { EngineClient } from '../electron/engine/engineClient.js';
import { Host } from '../electron/host/host.js';
import { startServer } from '../electron/server.js';
import type { CallOutcome } from '../shared/contract.js';
import type { HostEvent } from '../shared/jobs.js';

const LABELS = `SELECT c.content_id, k.category, coalesce(bool_or(a.action IN ('remove', 'warn', 'hide') AND a.category = k.category), false)::INT AS label
  FROM content c CROSS JOIN (VALUES ('hate_speech'), ('nsfw'), ('spam'), ('misinformation'), ('csam')) k(category)
  LEFT JOIN moderation_actions a USING (content_id) GROUP BY ALL`;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Event-loop delay of this process (p50, p99, max, in ms) while `work` runs. */
async function loopDelayDuring(work: () => Promise<unknown>): Promise<{ p50: number; p99: number; max: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  await work();
  histogram.disable();
  return { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
}

export async function engineBenchmark(
  workspaceDir: string,
  staticDir: string,
  log: (line: string) => void,
): Promise<void> {
  log('## The engine process: the serving process under load, and restart after a crash');
  const engine = await EngineClient.start({ dir: workspaceDir, fileAccess: { kind: 'any' } });
  const server = await startServer({ host: engine, staticDir });
  const post = async (method: string, body: unknown): Promise<CallOutcome> => {
    const response = await fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: JSON.stringify(body),
    });
    return (await response.json()) as CallOutcome;
  };
  const trivialLatencies = async (until: () => boolean, minimum = 0): Promise<number[]> => {
    const times: number[] = [];
    while (!until() || times.length < minimum) {
      const started = performance.now();
      await post('workspace.info', {});
      times.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return times.sort((a, b) => a - b);
  };

  await trivialLatencies(() => true, 10); // warm: the first call also opens the HTTP connection
  const idle = await trivialLatencies(() => true, 300);
  const finished = new Set<string>();
  engine.onEvent((event: HostEvent) => {
    if (event.channel === 'job' && event.event.type !== 'progress' && 'job' in event.event)
      finished.add(event.event.job.id);
  });
  const jobIds: string[] = [];
  let loaded: number[] = [];
  const delay = await loopDelayDuring(async () => {
    for (const [method, input] of [
      ['eval.run', { model: 'text-distil', labels: LABELS, bins: 15 }],
      ['models.score', { model: 'text-distil', sql: 'SELECT content_id, text FROM content' }],
    ] as const) {
      const outcome = await post(method, input);
      if (!outcome.ok) throw new Error(outcome.error.message);
      jobIds.push((outcome.value as { jobId: string }).jobId);
    }
    loaded = await trivialLatencies(() => jobIds.every((id) => finished.has(id)));
  });
  log(
    `serving process event-loop delay while the engine evaluates and re-scores every item: p50 ${ms(delay.p50)}, p99 ${ms(delay.p99)}, max ${ms(delay.max)} (target p99 ≤ 20 ms)`,
  );
  log(
    `workspace.info over HTTP: idle p50 ${ms(percentile(idle, 50))}, p99 ${ms(percentile(idle, 99))}; under that load p50 ${ms(percentile(loaded, 50))}, p99 ${ms(percentile(loaded, 99))} = ${(percentile(loaded, 99) / percentile(idle, 99)).toFixed(1)}× idle (target p99 ≤ 50 ms; ${loaded.length} calls)`,
  );

  const restarts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const pid = engine.pid!;
    const started = performance.now();
    process.kill(pid, 'SIGKILL');
    while (engine.pid === pid || !(await post('workspace.info', {})).ok)
      await new Promise((resolve) => setTimeout(resolve, 5));
    restarts.push(performance.now() - started);
  }
  restarts.sort((a, b) => a - b);
  log(
    `engine restart after kill -9, until calls are served again: median ${ms(percentile(restarts, 50))} of 3 (${restarts.map(ms).join(', ')}; target ≤ 2 s)`,
  );
  await server.close();
  await engine.close();

  // Baseline: the same evaluation in the serving process itself, as before the engine process.
  const host = await Host.open(workspaceDir, { remember: false });
  const inProcess = await loopDelayDuring(async () => {
    const outcome = await host.dispatchJob('eval.run', { model: 'text-distil', labels: LABELS, bins: 15 });
    if (!outcome.ok) throw new Error(outcome.error.message);
  });
  await host.close();
  log(
    `baseline, the evaluation alone run in the serving process: event-loop delay p99 ${ms(inProcess.p99)}, max ${ms(inProcess.max)} (${(inProcess.p99 / Math.max(delay.p99, 0.001)).toFixed(0)}× the engine layout's p99)`,
  );
}

/** `sift tables` as scripts call it — a whole process — against starting Node itself, in the same run. */
export async function cliStartBenchmark(
  workspaceDir: string,
  sampleWorkspaceDir: string,
  log: (line: string) => void,
): Promise<void> {
  const exec = promisify(execFile);
  await exec('node', ['bin/sift.mjs', 'tables', '--workspace', workspaceDir]); // builds the CLI bundle if a source changed
  // The measure is the bundled sample workspace; the 1M one shows what a large workspace adds.
  await exec('node', ['bin/sift.mjs', 'sample', '--workspace', sampleWorkspaceDir]);
  const median = async (args: string[]) => {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      await exec('node', args, { maxBuffer: 16 << 20 });
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[3]!;
  };
  const node = await median(['-e', '']);
  const sample = await median(['bin/sift.mjs', 'tables', '--workspace', sampleWorkspaceDir]);
  const large = await median(['bin/sift.mjs', 'tables', '--workspace', workspaceDir]);
  log(`\n## CLI start: \`sift tables\` as a new process (median of 7) vs \`node -e ''\` ${ms(node)}`);
  log(
    `sample workspace ${ms(sample)}: ${ms(sample - node)} above node (target ≤ 300 ms); the 1M workspace ${ms(large)}: ${ms(large - node)} above`,
  );
}
