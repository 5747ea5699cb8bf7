/**
 * One workspace, many clients (issue 24): `sift tables` run as a new process while an engine holds the workspace
 * (the command connects to it through its socket) against the same command opening the workspace itself, runs
 * interleaved in one run; and the `tables.list` call through the socket against Host.dispatch in-process.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EngineClient } from '../electron/engine/engineClient.js';
import { EngineConnection } from '../electron/engine/engineConnection.js';
import { Host } from '../electron/host/host.js';

const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function engineSocketBenchmark(workspaceDir: string, log: (line: string) => void): Promise<void> {
  const exec = promisify(execFile);
  const tables = async () => {
    const started = performance.now();
    await exec('node', ['bin/sift.mjs', 'tables', '--workspace', workspaceDir], { maxBuffer: 16 << 20 });
    return performance.now() - started;
  };
  log('\n## One workspace, many clients: `sift tables` through a running engine vs opening the workspace itself');
  await tables(); // builds the CLI bundle if a source changed
  const inProcess: number[] = [];
  const throughEngine: number[] = [];
  for (let round = 0; round < 11; round++) {
    inProcess.push(await tables());
    const engine = await EngineClient.start({ dir: workspaceDir, fileAccess: { kind: 'any' }, kind: 'serve' });
    try {
      throughEngine.push(await tables());
    } finally {
      await engine.close();
    }
  }
  const ratio = median(throughEngine) / median(inProcess);
  log(
    `sift tables (median of 11, interleaved): in-process ${ms(median(inProcess))}, through the engine ${ms(median(throughEngine))}; ratio ${ratio.toFixed(2)} (target ≤ 1.2)`,
  );

  // The call alone: tables.list through the socket vs Host.dispatch in this process.
  const host = await Host.open(workspaceDir, { remember: false });
  const callTimes = async (dispatch: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await dispatch();
      times.push(performance.now() - started);
    }
    return median(times.slice(20));
  };
  const direct = await callTimes(() => host.dispatch('tables.list', {}));
  await host.close();
  const engine = await EngineClient.start({ dir: workspaceDir, fileAccess: { kind: 'any' }, kind: 'serve' });
  const connection = (await EngineConnection.connect(workspaceDir))!;
  const socket = await callTimes(() => connection.dispatch('tables.list', {}));
  await connection.close();
  await engine.close();
  log(
    `tables.list (median of 180): Host.dispatch in-process ${ms(direct)}, through the socket ${ms(socket)}; ratio ${(socket / direct).toFixed(2)}`,
  );
}
