/**
 * A labeling host shared on a LAN: the lead makes a token per annotator; a request with it acts as that annotator
 * and reaches only labeling — over real HTTP against the real host.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { type RunningServer, startServer } from '../../electron/server';
import { ANNOTATOR_METHODS } from '../../shared/callerAccess';
import { type CallOutcome, METHOD_NAMES, type RecordOutcome, type SessionSummary } from '../../shared/contract';
import { makeLabelingWorkspace } from './labelingFixture';
import { call, tempDir } from './support';

let host: Host;
let server: RunningServer;
let session: SessionSummary;

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
  host = await makeLabelingWorkspace(path.join(tempDir('sift-lan-'), 'ws'));
  const staticDir = tempDir('sift-static-');
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Sift</title>');
  server = await startServer({ host, staticDir });
  session = await call(host, 'sessions.create', {
    name: 'shared',
    pool: 'SELECT content_id FROM content',
    model: 'text-distil',
    version: 't1',
    strategy: 'random',
    batchSize: 3,
    overlap: 2,
  });
});
afterAll(async () => {
  await server?.close();
  await host?.close();
});

describe('annotator tokens', () => {
  it('act as their annotator, only for labeling; the lead keeps every method', async () => {
    const made = await post('annotators.createToken', { name: 'ana' }, server.token);
    expect(made.outcome.ok).toBe(true);
    const token = (made.outcome as { ok: true; value: { token: string } }).value.token;
    // Stored only as a hash.
    expect(fs.readFileSync(path.join(host.workspace.dir, '.sift', 'annotators.json'), 'utf8')).not.toContain(token);
    expect((await post('auth.whoami', {}, token)).outcome).toEqual({
      ok: true,
      value: { role: 'annotator', annotator: 'ana' },
    });
    expect((await post('auth.whoami', {}, server.token)).outcome).toEqual({
      ok: true,
      value: { role: 'owner', annotator: null },
    });
    const batch = await post('sessions.next', { sessionId: session.id, annotator: 'ana' }, token);
    expect(batch.status).toBe(200);
    const item = (batch.outcome as { ok: true; value: { items: { contentId: string }[] } }).value.items[0]!.contentId;
    const labeled = await post(
      'labels.record',
      {
        sessionId: session.id,
        annotator: 'ana',
        action: { kind: 'label', contentId: item, labels: [{ category: 'spam', value: 1 }] },
      },
      token,
    );
    expect(labeled.outcome.ok).toBe(true);
    // Not as someone else, and nothing beyond labeling.
    const impostor = await post(
      'labels.record',
      {
        sessionId: session.id,
        annotator: 'bo',
        action: { kind: 'label', contentId: item, labels: [{ category: 'spam', value: 0 }] },
      },
      token,
    );
    expect(impostor).toMatchObject({
      status: 403,
      outcome: { ok: false, error: { message: 'labels.record: this token labels as ana, not as bo.' } },
    });
    for (const method of [
      'query.run',
      'labels.export',
      'annotators.createToken',
      'sessions.retrain',
      'datasets.export',
    ]) {
      const refused = await post(method, {}, token);
      expect(refused.status, method).toBe(403);
      expect(refused.outcome).toMatchObject({
        ok: false,
        error: { message: expect.stringContaining("an annotator's token reaches only labeling") },
      });
    }
    const events = await fetch(`http://127.0.0.1:${server.port}/api/events?token=${token}`);
    expect(events.status).toBe(403);
    await events.body?.cancel();
    // The lead lists and revokes; a revoked token opens nothing.
    expect((await post('annotators.list', {}, server.token)).outcome).toMatchObject({
      ok: true,
      value: [{ name: 'ana' }],
    });
    expect((await post('annotators.revoke', { name: 'ana' }, server.token)).outcome).toEqual({
      ok: true,
      value: { revoked: true },
    });
    expect((await post('sessions.list', {}, token)).status).toBe(401);
  });

  it("never decides for others: an annotator's token cannot adjudicate, acts only as its annotator, reaches no owner method", async () => {
    const tokenOf = async (name: string) =>
      ((await post('annotators.createToken', { name }, server.token)).outcome as { ok: true; value: { token: string } })
        .value.token;
    const [cy, di] = [await tokenOf('cy'), await tokenOf('di')];
    const disputed = await call(host, 'sessions.create', {
      name: 'disputed',
      pool: 'SELECT content_id FROM content',
      model: 'text-distil',
      version: 't1',
      strategy: 'random',
      batchSize: 3,
      overlap: 2,
    });
    const label = (value: 0 | 1) => ({ kind: 'label', contentId: 'c01', labels: [{ category: 'spam', value }] });
    // Each labels as herself without naming anyone: the token says who she is.
    const byCy = await post('labels.record', { sessionId: disputed.id, action: label(1) }, cy);
    expect(byCy.outcome).toMatchObject({ ok: true, value: { progress: { annotator: 'cy' } } });
    expect((await post('labels.record', { sessionId: disputed.id, action: label(0) }, di)).outcome.ok).toBe(true);
    const queue = async () =>
      (await call(host, 'labels.disagreements', { sessionId: disputed.id })).items.map((item) => item.contentId);
    expect(await queue()).toEqual(['c01']);

    // Settling the dispute with her own vote is the lead's, whatever name she gives.
    const adjudicate = { kind: 'adjudicate', contentId: 'c01', labels: [{ category: 'spam', value: 1 }] };
    for (const body of [
      { sessionId: disputed.id, action: adjudicate },
      { sessionId: disputed.id, annotator: 'cy', action: adjudicate },
    ]) {
      const refused = await post('labels.record', body, cy);
      expect(refused).toMatchObject({
        status: 403,
        outcome: {
          ok: false,
          error: { code: 'FORBIDDEN', message: expect.stringContaining("only the workspace's owner") },
        },
      });
    }
    expect(await queue()).toEqual(['c01']);
    expect(
      await post('labels.record', { sessionId: disputed.id, annotator: 'lead', action: adjudicate }, cy),
    ).toMatchObject({ status: 403, outcome: { error: { code: 'FORBIDDEN' } } });

    // Every method outside the labeling screen's few is the owner's, with or without a valid input.
    const ownerOnly = METHOD_NAMES.filter((name) => !ANNOTATOR_METHODS.includes(name));
    expect(ownerOnly).toEqual(
      expect.arrayContaining([
        'labels.disagreements',
        'policy.migrate',
        'sessions.create',
        'datasets.export',
        'models.add',
        'query.run',
        'settings.update',
        'workspace.open',
      ]),
    );
    for (const method of ownerOnly) {
      const refused = await post(method, {}, cy);
      expect(refused.status, method).toBe(403);
      expect(refused.outcome, method).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }

    // The lead adjudicates.
    const decided = await post(
      'labels.record',
      { sessionId: disputed.id, annotator: 'lead', action: adjudicate },
      server.token,
    );
    expect((decided.outcome as { ok: true; value: RecordOutcome }).value.eventIds).toHaveLength(1);
    expect(await queue()).toEqual([]);
  });

  it('a new token for the same annotator replaces the old one', async () => {
    const first = (
      (await post('annotators.createToken', { name: 'bo' }, server.token)).outcome as {
        ok: true;
        value: { token: string };
      }
    ).value.token;
    const second = (
      (await post('annotators.createToken', { name: 'bo' }, server.token)).outcome as {
        ok: true;
        value: { token: string };
      }
    ).value.token;
    expect((await post('auth.whoami', {}, first)).status).toBe(401);
    expect((await post('auth.whoami', {}, second)).outcome).toMatchObject({ ok: true, value: { annotator: 'bo' } });
  });
});
