/**
 * What a caller of browser mode can reach on disk, over real HTTP with real tokens against a confined host: names
 * that become paths stay in their folders, errors never quote a file, and only regular files are read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { type RunningServer, startServer } from '../../electron/server';
import type { CallOutcome } from '../../shared/contract';
import { makeLabelingWorkspace } from './labelingFixture';
import { tempDir } from './support';

const SECRET = 'TOP-SECRET-CONTENT';
let root: string;
let host: Host;
let server: RunningServer;
let annotatorToken: string;

async function post(method: string, body: unknown, token: string | null): Promise<{ status: number; outcome: CallOutcome }> {
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
    expect((await post('taxonomy.get', {}, annotatorToken)).outcome).toMatchObject({ ok: true, value: { taxonomy: { version: 'v1' }, versions: ['v1'] } });
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
    expect(invalid).toMatchObject({ status: 400, outcome: { error: { code: 'BAD_REQUEST', message: expect.stringContaining('version') } } });
    // The damaged file in the folder is named, with where it breaks, not what it says.
    const damaged = await post('taxonomy.get', { version: 'v8' }, server.token);
    expect(damaged.outcome).toMatchObject({ ok: false, error: { message: expect.stringMatching(/taxonomy-v8\.json: not valid JSON/) } });
    expect((await post('taxonomy.get', { version: 'v1' }, annotatorToken)).outcome).toMatchObject({ ok: true, value: { taxonomy: { version: 'v1' } } });
  });
});
