/**
 * What a caller of browser mode can reach on disk, over real HTTP with real tokens against a confined host: names
 * that become paths stay in their folders, errors never quote a file, and only regular files are read.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { type RunningServer, startServer } from '../../electron/server';
import type { CallOutcome } from '../../shared/contract';
import { makeLabelingWorkspace } from './labelingFixture';
import { tempDir } from './support';

const TINY_MODEL = path.resolve('models', 'text-transformer-tiny');

const SECRET = 'TOP-SECRET-CONTENT';
let root: string;
let host: Host;
let server: RunningServer;
let annotatorToken: string;

async function post(
  method: string,
  body: unknown,
  token: string | null,
): Promise<{ status: number; outcome: CallOutcome }> {
  const response = await fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, outcome: (await response.json()) as CallOutcome };
}

beforeAll(async () => {
  root = tempDir('sift-confined-');
  const dir = path.join(root, 'ws');
  await (await makeLabelingWorkspace(dir)).close();
  host = await Host.open(dir, { remember: false, fileAccess: { kind: 'confined', folders: [] } });
  const staticDir = tempDir('sift-static-');
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Sift</title>');
  server = await startServer({ host, staticDir });
  const made = await post('annotators.createToken', { name: 'ana' }, server.token);
  annotatorToken = (made.outcome as { ok: true; value: { token: string } }).value.token;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await host?.close();
});

describe('names that become paths', () => {
  it('taxonomy.get reads only policy versions in the policy folder, and its errors never quote a file', async () => {
    expect((await post('taxonomy.get', {}, annotatorToken)).outcome).toMatchObject({
      ok: true,
      value: { taxonomy: { version: 'v1' }, versions: ['v1'] },
    });
    // A JSON file outside the workspace, and one in policy/ that is a link to it.
    const outside = path.join(root, 'secret-x.json');
    fs.writeFileSync(outside, `{"note": "${SECRET}", "version": "v1", "categories": []`);
    const policyDir = path.join(host.workspace.dir, 'policy');
    fs.symlinkSync(outside, path.join(policyDir, 'taxonomy-v7.json'));
    fs.writeFileSync(path.join(policyDir, 'taxonomy-v8.json'), `${SECRET} is not JSON`);
    const traversal = path.relative(path.join(policyDir, 'taxonomy-'), outside).replace(/\.json$/, '');
    for (const token of [annotatorToken, server.token]) {
      for (const version of [traversal, `/${traversal}`, '../../secret-x', 'v1/../../../secret-x', 'v7', 'v8']) {
        const answer = await post('taxonomy.get', { version }, token);
        expect(answer.outcome.ok, version).toBe(false);
        expect(answer.status, version).toBeGreaterThanOrEqual(400);
        expect(JSON.stringify(answer.outcome), version).not.toContain(SECRET);
      }
    }
    const invalid = await post('taxonomy.get', { version: traversal }, annotatorToken);
    expect(invalid).toMatchObject({
      status: 400,
      outcome: { error: { code: 'BAD_REQUEST', message: expect.stringContaining('version') } },
    });
    // The damaged file in the folder is named, with where it breaks, not what it says.
    const damaged = await post('taxonomy.get', { version: 'v8' }, server.token);
    expect(damaged.outcome).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/taxonomy-v8\.json: not valid JSON/) },
    });
    expect((await post('taxonomy.get', { version: 'v1' }, annotatorToken)).outcome).toMatchObject({
      ok: true,
      value: { taxonomy: { version: 'v1' } },
    });
  });
});

describe('browser mode opens, registers, reads and serves only inside its folders', () => {
  it('workspace.open of a folder outside keeps SQL where it was: read_csv of a file there is refused', async () => {
    const other = path.join(root, 'other-ws');
    await (await Host.open(other, { create: true, remember: false })).close();
    fs.writeFileSync(path.join(other, 'private.csv'), `secret\n${SECRET}\n`);
    const opened = await post('workspace.open', { path: other }, server.token);
    expect(opened).toMatchObject({
      status: 400,
      outcome: {
        ok: false,
        error: {
          code: 'BAD_REQUEST',
          message: expect.stringContaining('in browser mode a workspace is opened only from inside'),
        },
      },
    });
    expect(host.workspace.dir).toBe(path.join(root, 'ws'));
    const read = await post(
      'query.run',
      {
        queryId: 'q-outside',
        sql: `SELECT * FROM read_csv(${JSON.stringify(path.join(other, 'private.csv')).replace(/"/g, "'")})`,
      },
      server.token,
    );
    expect(read.outcome.ok).toBe(false);
    expect(JSON.stringify(read.outcome)).not.toContain(SECRET);
    // The workspace it started on stays open-able.
    expect((await post('workspace.open', { path: path.join(root, 'ws') }, server.token)).outcome.ok).toBe(true);
  });

  it('refuses a new workspace outside its folders, saying how to choose one (sift serve --folder, or the CLI), and creates nothing', async () => {
    const outside = path.join(root, 'elsewhere', 'mine');
    const created = await post('workspace.create', { path: outside }, server.token);
    expect(created.status).toBe(400);
    const message = created.outcome.ok ? '' : created.outcome.error.message;
    expect(message).toContain('in browser mode a new workspace goes inside');
    expect(message).toContain(`sift serve --folder ${path.dirname(outside)}`);
    expect(message).toContain(`sift init --workspace ${outside}`);
    expect(fs.existsSync(outside)).toBe(false);
    const opened = await post('workspace.open', { path: outside }, server.token);
    expect(opened.outcome.ok ? '' : opened.outcome.error.message).toContain(`sift serve --workspace ${outside}`);
  });

  it('models.add registers only a folder inside, whose manifest names only files inside it', async () => {
    const outside = path.join(root, 'outside-model');
    fs.cpSync(TINY_MODEL, outside, { recursive: true });
    const refused = await post('models.add', { path: outside }, server.token);
    expect(refused).toMatchObject({
      status: 400,
      outcome: {
        ok: false,
        error: { code: 'BAD_REQUEST', message: expect.stringContaining('is outside the folders this Sift may read') },
      },
    });
    // The refusal is the same whether what lies outside exists or not: it names only the path asked for.
    const missing = await post('models.add', { path: path.join(root, 'no-such-model') }, server.token);
    expect(missing.outcome).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('is outside the folders this Sift may read') },
    });
    expect(
      ((await post('models.list', {}, server.token)).outcome as { ok: true; value: { dir: string }[] }).value.map(
        (model) => model.dir,
      ),
    ).not.toContain(outside);

    // A copy inside the workspace registers; one whose manifest reaches out of its folder does not.
    const inside = path.join(host.workspace.dir, 'my-models', 'tiny');
    fs.cpSync(TINY_MODEL, inside, { recursive: true });
    expect((await post('models.add', { path: inside }, server.token)).outcome.ok).toBe(true);
    const reaching = path.join(host.workspace.dir, 'my-models', 'reaching');
    fs.cpSync(TINY_MODEL, reaching, { recursive: true });
    fs.copyFileSync(path.join(TINY_MODEL, 'model.onnx'), path.join(root, 'elsewhere.onnx'));
    const manifest = JSON.parse(fs.readFileSync(path.join(reaching, 'model.json'), 'utf8')) as {
      name: string;
      file: string;
    };
    fs.writeFileSync(
      path.join(reaching, 'model.json'),
      JSON.stringify({ ...manifest, name: 'reaching', file: '../../../elsewhere.onnx' }),
    );
    const outward = await post('models.add', { path: reaching }, server.token);
    expect(outward.outcome).toMatchObject({ ok: false, error: { message: expect.stringContaining('leads outside') } });
  });

  it('GET /api/download serves a file of exports/, never one a link there leads to', async () => {
    const exportsDir = path.join(host.workspace.dir, 'exports');
    fs.mkdirSync(exportsDir, { recursive: true });
    fs.writeFileSync(path.join(exportsDir, 'real.csv'), 'a\n1\n');
    fs.writeFileSync(path.join(root, 'outside.txt'), SECRET);
    fs.symlinkSync(path.join(root, 'outside.txt'), path.join(exportsDir, 'link.csv'));
    const download = (name: string) =>
      fetch(
        `http://127.0.0.1:${server.port}/api/download?path=${encodeURIComponent(path.join(exportsDir, name))}&token=${server.token}`,
      );
    const real = await download('real.csv');
    expect(real.status).toBe(200);
    expect(await real.text()).toBe('a\n1\n');
    const linked = await download('link.csv');
    expect(linked.status).toBe(404);
    expect(await linked.text()).not.toContain(SECRET);
  });

  it('import.inspect of a FIFO is refused at once; the engine never waits on it', async () => {
    const fifo = path.join(host.workspace.dir, 'uploads', 'pipe.csv');
    fs.mkdirSync(path.dirname(fifo), { recursive: true });
    await new Promise<void>((resolve, reject) =>
      spawn('mkfifo', [fifo]).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mkfifo: ${code}`)))),
    );
    // A writer that opens the FIFO only later: a host that opened it would wait for this, then read its rows.
    const writer = spawn(process.execPath, [
      '-e',
      `setTimeout(() => require('fs').writeFileSync(${JSON.stringify(fifo)}, 'a,b\\n1,2\\n'), 3000)`,
    ]);
    try {
      const inspected = await post('import.inspect', { path: fifo }, server.token);
      expect(inspected).toMatchObject({
        status: 400,
        outcome: { ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('not a regular file') } },
      });
      expect(writer.exitCode).toBeNull(); // answered before anyone wrote to the FIFO
      const started = await post('import.run', { path: fifo }, server.token);
      const jobId = (started.outcome as { ok: true; value: { jobId: string } }).value.jobId;
      const job = await host.jobs.wait(jobId);
      expect(job).toMatchObject({
        status: 'failed',
        error: { message: expect.stringContaining('not a regular file') },
      });
      expect(writer.exitCode).toBeNull();
    } finally {
      writer.kill('SIGKILL');
    }
  });
});
