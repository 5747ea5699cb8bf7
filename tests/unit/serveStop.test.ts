/**
 * `sift serve` stops on SIGTERM (the e2e harness, a service manager, Ctrl+C) even while a request waits on a long
 * query: the HTTP server used to wait for that request's connection before closing, so the process hung until the
 * query ended. Judged by what happens (the process exits with 0, the request is answered or cut, the workspace is
 * free for the next process), not by how long it takes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../electron/engine/engineClient';
import { createSampleWorkspace } from '../../electron/host/samples/sampleWorkspace';
import { tempDir } from './support';

let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('sift serve and SIGTERM', () => {
  it('exits while a request waits on a query that would run for hours, and leaves the workspace free', async () => {
    const dir = path.join(tempDir('sift-serve-stop-'), 'ws');
    await (await createSampleWorkspace(dir)).close();
    const home = tempDir('sift-serve-stop-home-');
    child = spawn('node', ['bin/sift.mjs', 'serve', '--workspace', dir, '--port', '0'], {
      env: { ...process.env, SIFT_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const url = await new Promise<URL>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
        if (match) resolve(new URL(match[1]!));
      };
      child!.stdout!.on('data', onData);
      child!.stderr!.on('data', onData);
      void exited.then((code) => reject(new Error(`sift serve exited with ${code}:\n${output}`)));
    });
    const post = (method: string, body: unknown) =>
      fetch(new URL(`/api/${method}`, url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${url.searchParams.get('token')}` },
        body: JSON.stringify(body),
      });
    const endless = post('query.run', {
      queryId: 'endless',
      sql: 'SELECT sum(hash(a.range + b.range)) FROM range(3000000) a, range(3000000) b',
    }).then(
      async (response) => ({ answered: (await response.json()) as unknown }),
      (error: unknown) => ({ cut: String(error) }),
    );
    // A quick call answered after the endless one was sent: the server has both, the endless one is in the engine.
    expect((await post('workspace.info', {})).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The waiting request was cut or answered, never left hanging.
    expect(await endless).toBeDefined();
    // The engine process went with it: the workspace opens in a new one.
    const next = await EngineClient.start({ dir, fileAccess: { kind: 'confined', folders: [] } });
    await next.close();
  }, 120_000);
});
