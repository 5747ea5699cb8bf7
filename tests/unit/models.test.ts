/** Models against the real onnxruntime-node, the real model files, and a real Open Inference Protocol server. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../electron/host/host';
import { loadPackage } from '../../electron/host/models/modelPackage';
import { RemoteScorer } from '../../electron/host/models/remoteScorer';
import { LocalScorer } from '../../electron/host/models/runtime';
import { createSampleWorkspace } from '../../electron/host/samples/sampleWorkspace';
import type { InputOf, ScoreOutcome } from '../../shared/contract';
import { route, routeItem } from '../../shared/routing';
import { startKServeServer, type TestServer } from '../support/kserveServer';
import { call, tempDir } from './support';

const CAMPAIGN = 'GET 10k real followers in 24h → boostfans.example/join?ref=1 limited offer';
const BENIGN = 'my dog learned a new trick today';
const HATE = 'all immigrants are subhuman and should be banned from this country';

let host: Host;

beforeAll(async () => {
  const dir = path.join(tempDir('sift-models-'), 'ws');
  await (await createSampleWorkspace(dir, { kind: 'platform' })).close();
  host = await Host.open(dir, { remember: false });
});
afterAll(async () => host?.close());

function copyModel(name: string, edit?: (manifest: Record<string, unknown>) => void): string {
  const dir = path.join(tempDir('sift-model-copy-'), name);
  fs.cpSync(path.resolve('models', name), dir, { recursive: true });
  if (edit) {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
    edit(manifest);
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(manifest));
  }
  return dir;
}

describe('the registry and manifests', () => {
  it('lists the shipped models with kind, categories, version and content hash', async () => {
    const models = await call(host, 'models.list', {});
    const names = models.map((m) => m.name).sort();
    expect(names).toEqual(['text-distil', 'text-fusion', 'text-transformer-tiny']);
    for (const model of models) {
      expect(model.error).toBeUndefined();
      expect(model.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(model.categories).toEqual(['hate_speech', 'nsfw', 'spam', 'misinformation', 'csam']);
      expect(model.critical).toEqual(['csam']);
    }
    expect(models.find((m) => m.name === 'text-fusion')!.kind).toBe('late_fusion');
  });

  it('names the file and the field of a broken manifest', () => {
    const noCategories = copyModel('text-distil', (m) => delete m.categories);
    expect(() => loadPackage(noCategories)).toThrow(/model\.json: categories: /);
    const unknownThreshold = copyModel(
      'text-distil',
      (m) => ((m.thresholds as Record<string, unknown>).violence = { remove: 0.9, escalate: 0.5 }),
    );
    expect(() => loadPackage(unknownThreshold)).toThrow(/thresholds: "violence" is not one of the model's categories/);
    const upsideDown = copyModel(
      'text-distil',
      (m) => ((m.thresholds as Record<string, unknown>).spam = { remove: 0.3, escalate: 0.8 }),
    );
    expect(() => loadPackage(upsideDown)).toThrow(/thresholds\.spam: escalate must not be above remove/);
    const fusionWithoutMask = copyModel(
      'text-fusion',
      (m) => (m.inputs = (m.inputs as { role: string }[]).filter((i) => i.role !== 'modality_mask')),
    );
    expect(() => loadPackage(fusionWithoutMask)).toThrow(/needs an input with role modality_mask/);
  });

  it('reports a missing model file', () => {
    const dir = copyModel('text-distil');
    fs.rmSync(path.join(dir, 'model.onnx'));
    expect(() => loadPackage(dir)).toThrow(/model\.onnx: the file the manifest names is missing/);
  });

  it('checks the manifest against the ONNX graph: names, types and shapes', async () => {
    const renamed = copyModel('text-distil', (m) => ((m.inputs as { name: string }[])[0]!.name = 'token_ids'));
    await expect(LocalScorer.create(loadPackage(renamed), 'cpu')).rejects.toThrow(
      /input "token_ids" is not an input of model\.onnx \(it has indices, weights\)/,
    );
    const reshaped = copyModel('text-distil', (m) => {
      (m.inputs as { shape: number[] }[])[0]!.shape = [-1, 128];
      (m.inputs as { shape: (number | null)[] }[])[0]!.shape = [null, 128];
    });
    await expect(LocalScorer.create(loadPackage(reshaped), 'cpu')).rejects.toThrow(
      /input "indices" has shape \[\?, 128\] in the manifest but \[batch, 256\] in model\.onnx/,
    );
    const retyped = copyModel('text-distil', (m) => ((m.inputs as { datatype: string }[])[0]!.datatype = 'INT64'));
    await expect(LocalScorer.create(loadPackage(retyped), 'cpu')).rejects.toThrow(
      /input "indices" is INT64 in the manifest but int32 in model\.onnx/,
    );
  });

  it('adds a model from a folder, and refuses a broken one', async () => {
    const dir = copyModel('text-distil', (m) => {
      m.name = 'text-distil-copy';
      m.version = '9.9.9';
    });
    const info = await call(host, 'models.add', { path: dir });
    expect(info).toMatchObject({ name: 'text-distil-copy', version: '9.9.9', source: 'workspace' });
    expect((await call(host, 'models.list', {})).map((m) => m.name)).toContain('text-distil-copy');
    const broken = copyModel('text-distil', (m) => ((m.outputs as { name: string }[])[0]!.name = 'scores'));
    expect(await host.dispatch('models.add', { path: broken })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('output "scores" is not an output of model.onnx') },
    });
  });
});

describe('scoring one item ("try it")', () => {
  const tryIt = (model: string, text: string, extra: Record<string, unknown> = {}) =>
    call(host, 'models.try', { model, text, ...extra });

  it('the distilled classifier separates spam, hate and benign text, and says which provider ran', async () => {
    const spam = await tryIt('text-distil', CAMPAIGN);
    expect(spam.scores.spam).toBeGreaterThan(0.5);
    expect(spam.provider).toBe('cpu');
    const hate = await tryIt('text-distil', HATE);
    expect(hate.scores.hate_speech).toBeGreaterThan(0.5);
    expect(hate.decision).not.toBe('pass');
    const benign = await tryIt('text-distil', BENIGN);
    expect(Math.max(...Object.values(benign.scores))).toBeLessThan(0.2);
    expect(benign.decision).toBe('pass');
  });

  it('the transformer-style model reads text through its tokenizer.json', async () => {
    const spam = await tryIt('text-transformer-tiny', CAMPAIGN);
    const benign = await tryIt('text-transformer-tiny', BENIGN);
    expect(spam.scores.spam).toBeGreaterThan(benign.scores.spam! + 0.3);
  });

  it('the late-fusion model masks a missing modality instead of failing', async () => {
    const account = { account_age_days: 400, prior_violations_30d: 0, posting_rate: 1 };
    const textOnly = await tryIt('text-fusion', CAMPAIGN, { account });
    expect(textOnly.scores.spam).toBeGreaterThan(0.5);
    const withImage = await tryIt('text-fusion', CAMPAIGN, {
      account,
      imageEmb: [0.1, -0.2, 0.3, 0, 0.5, -0.1, 0.2, 0.1],
    });
    expect(withImage.scores.spam).not.toBe(textOnly.scores.spam);
    const imageOnly = await tryIt('text-fusion', '', { account, imageEmb: [0.1, -0.2, 0.3, 0, 0.5, -0.1, 0.2, 0.1] });
    expect(Object.values(imageOnly.scores).every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(
      await host.dispatch('models.try', { model: 'text-fusion', text: 'x', account, imageEmb: [1, 2, 3] }),
    ).toMatchObject({ ok: false, error: { message: 'content try: image_emb has 3 values; text-fusion expects 8.' } });
    expect(await host.dispatch('models.try', { model: 'text-fusion', text: 'x' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('account_age_days is missing or not a number') },
    });
  });

  it('handles empty text, a 1 MB text and broken UTF-16 without failing', async () => {
    const empty = await tryIt('text-distil', '');
    expect(Object.keys(empty.scores)).toHaveLength(5);
    const text = `${CAMPAIGN} ${'lorem ipsum dolor '.repeat(60_000)}`;
    expect(text.length).toBeGreaterThan(1_000_000);
    const huge = await tryIt('text-distil', text);
    // Only the first maxChars (4,000) characters are read: the same scores as for that prefix.
    expect(huge.scores).toEqual((await tryIt('text-distil', text.slice(0, 4000))).scores);
    const surrogate = await tryIt('text-transformer-tiny', `cheap followers \uD800 now`);
    expect(Object.values(surrogate.scores).every(Number.isFinite)).toBe(true);
    expect(await host.dispatch('models.try', { model: 'no-such-model', text: 'x' })).toMatchObject({
      ok: false,
      error: { message: 'model: no model named "no-such-model" (sift models lists them).' },
    });
  });

  it('routes by thresholds, and a critical category always goes to a person', () => {
    const manifest = {
      thresholds: { spam: { remove: 0.9, escalate: 0.5 }, csam: { remove: 0.95, escalate: 0.2 } },
      critical: ['csam'],
    };
    expect([0.95, 0.7, 0.1].map((s) => route(manifest, 'spam', s))).toEqual(['remove', 'escalate', 'pass']);
    expect([0.99, 0.3, 0.1].map((s) => route(manifest, 'csam', s))).toEqual(['escalate', 'escalate', 'pass']);
    expect(routeItem(manifest, { spam: 0.99, csam: 0.3 })).toEqual({ decision: 'escalate', category: 'csam' });
  });
});

async function scoreJob(input: InputOf<'models.score'>) {
  const { jobId } = await call(host, 'models.score', input);
  return host.jobs.wait(jobId);
}

async function count(sql: string): Promise<number> {
  return Number((await call(host, 'query.run', { queryId: crypto.randomUUID(), sql })).rows[0]![0]);
}

describe('batches scored in the compute pool', () => {
  it('give the same probabilities as scoring each item in place, for the distilled and the late-fusion model', async () => {
    const texts = [CAMPAIGN, BENIGN, HATE, '', 'ünïcödé ✓ text', 'x'.repeat(5000)];
    // 96 items: at least the pooled batch size, so the batch goes to a worker; one at a time stays in this thread.
    const items = Array.from({ length: 96 }, (_, i) => ({
      contentId: `c${i}`,
      text: `${texts[i % texts.length]} ${i}`,
      imageEmb: i % 3 === 0 ? null : Array.from({ length: 64 }, (_, k) => Math.sin(i + k)),
      account: [i % 400, i % 5, i % 30],
    }));
    for (const model of ['text-distil', 'text-fusion']) {
      const pkg = loadPackage(path.resolve('models', model));
      const scorer = await LocalScorer.create(pkg, 'cpu');
      const usable =
        pkg.manifest.kind === 'late_fusion'
          ? items.map((item) => ({ ...item, imageEmb: item.imageEmb?.slice(0, pkg.manifest.imageDim!) ?? null }))
          : items;
      const pooled = await scorer.score(usable);
      const one = await Promise.all(usable.map((item) => scorer.score([item])));
      expect(pooled.length).toBe(usable.length * pkg.manifest.categories.length);
      one.forEach((scores, i) =>
        scores.forEach((score, k) => expect(pooled[i * pkg.manifest.categories.length + k]).toBeCloseTo(score, 5)),
      );
      await scorer.close();
    }
  });
});

describe('re-scoring the rows of a query', () => {
  it('writes one score per category with the model name, version, hash and run id, and a re-run replaces them', async () => {
    const first = await scoreJob({
      model: 'text-distil',
      sql: 'SELECT content_id, text FROM content ORDER BY content_id LIMIT 3000',
      batchSize: 256,
    });
    expect(first.status).toBe('done');
    const outcome = first.result as ScoreOutcome;
    expect(outcome).toMatchObject({
      model: 'text-distil',
      version: '2026.11.1',
      items: 3000,
      rows: 15000,
      replaced: 0,
      provider: 'cpu',
    });
    expect(
      await count(
        `SELECT count(*) FROM model_scores WHERE model_version = '2026.11.1' AND run_id = '${outcome.runId}' AND model_hash = '${outcome.hash}'`,
      ),
    ).toBe(15000);
    const again = await scoreJob({
      model: 'text-distil',
      sql: 'SELECT content_id, text FROM content ORDER BY content_id LIMIT 3000',
    });
    expect(again.result).toMatchObject({ items: 3000, rows: 15000, replaced: 15000 });
    expect(await count(`SELECT count(*) FROM model_scores WHERE model_version = '2026.11.1'`)).toBe(15000);
    // The sample's own recorded scores are untouched.
    expect(await count(`SELECT count(*) FROM model_scores WHERE model_version IN ('2024.02.1', '2024.03.0')`)).toBe(
      150000,
    );
  });

  it('scores with the late-fusion model from the columns it needs, image or not', async () => {
    const sql = `SELECT c.content_id, c.text, c.image_emb, date_diff('hour', u.created_at, c.created_at) / 24.0 AS account_age_days, u.prior_violations_30d, 1.0 AS posting_rate
                 FROM content c JOIN users u USING (user_id) ORDER BY c.content_id LIMIT 1000`;
    const job = await scoreJob({ model: 'text-fusion', sql });
    expect(job.status).toBe('done');
    expect((job.result as ScoreOutcome).items).toBe(1000);
    // Without content_id there is nothing to join the feature view on.
    const missing = await scoreJob({ model: 'text-fusion', sql: 'SELECT content_id AS id, text FROM content LIMIT 5' });
    expect(missing.error?.message).toContain(
      'sql: text-fusion needs the column(s) content_id, account_age_days, prior_violations_30d, posting_rate',
    );
  });

  it('cancels a long run and writes nothing', async () => {
    const before = await count(`SELECT count(*) FROM model_scores WHERE model = 'text-transformer-tiny'`);
    const { jobId } = await call(host, 'models.score', {
      model: 'text-transformer-tiny',
      sql: 'SELECT content_id, text FROM content',
      batchSize: 64,
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await call(host, 'jobs.cancel', { jobId });
    const job = await host.jobs.wait(jobId);
    expect(job.status).toBe('cancelled');
    expect(await count(`SELECT count(*) FROM model_scores WHERE model = 'text-transformer-tiny'`)).toBe(before);
  });

  it('fails, writing nothing, when the query breaks part-way instead of scoring the rows before the break', async () => {
    const before = await count('SELECT count(*) FROM model_scores');
    // No blocking operator, so rows stream out before the scan reaches the broken one.
    const broken = await scoreJob({
      model: 'text-distil',
      sql: "SELECT content_id, CASE WHEN rowid < 20000 THEN text ELSE error('row 20000 is broken') END AS text FROM content",
    });
    expect(broken.status).toBe('failed');
    expect(broken.error?.message).toMatch(/row 20000 is broken|stopped part-way/);
    expect(await count('SELECT count(*) FROM model_scores')).toBe(before);
  });

  it('refuses items without a content_id by name, writing nothing, instead of scoring the item "null"', async () => {
    const before = await count('SELECT count(*) FROM model_scores');
    // What a content mapping without its key once gave: rows whose content_id is NULL.
    const job = await scoreJob({
      model: 'text-distil',
      sql: 'SELECT CASE WHEN rowid % 100 = 0 THEN NULL ELSE content_id END AS content_id, text FROM content ORDER BY rowid LIMIT 1000',
    });
    expect(job.status).toBe('failed');
    expect(job.error?.message).toBe(
      'sql: 10 of 1,000 rows of the scoring query have a NULL content_id; every score needs the item it belongs to, so nothing was scored. Leave them out (WHERE content_id IS NOT NULL) or fix the mapping of content_id.',
    );
    expect(await count('SELECT count(*) FROM model_scores')).toBe(before);
    expect(
      await count("SELECT count(*) FROM model_scores WHERE content_id IS NULL OR content_id::VARCHAR = 'null'"),
    ).toBe(0);
  });

  it('refuses a query that writes, and names text that is not UTF-8', async () => {
    expect(
      (await scoreJob({ model: 'text-distil', sql: "DELETE FROM content WHERE content_id = 'x'" })).error?.code,
    ).toBe('SQL_READ_ONLY');
    const bad = await scoreJob({ model: 'text-distil', sql: "SELECT 'c1' AS content_id, '\\xC3\\x28'::BLOB AS text" });
    expect(bad.error?.message).toBe('content c1: text is not valid UTF-8.');
  });

  it('compares two versions on the same items, category by category, with the rows that flip', async () => {
    await scoreJob({
      model: 'text-distil',
      sql: "SELECT content_id, text FROM content WHERE created_at >= TIMESTAMP '2024-03-10 12:00' ORDER BY content_id LIMIT 2000",
    });
    const comparison = await call(host, 'models.compare', {
      a: { model: 'text-distil', version: '2024.03.0' },
      b: { model: 'text-distil', version: '2026.11.1' },
    });
    const spam = comparison.categories.find((c) => c.category === 'spam')!;
    expect(spam.items).toBeGreaterThan(0);
    const manual = await count(`
      WITH a AS (SELECT content_id, score FROM model_scores WHERE model = 'text-distil' AND model_version = '2024.03.0' AND category = 'spam'),
           b AS (SELECT content_id, score FROM model_scores WHERE model = 'text-distil' AND model_version = '2026.11.1' AND category = 'spam'),
           d AS (SELECT CASE WHEN a.score >= 0.9 THEN 'r' WHEN a.score >= 0.5 THEN 'e' ELSE 'p' END AS da, CASE WHEN b.score >= 0.9 THEN 'r' WHEN b.score >= 0.5 THEN 'e' ELSE 'p' END AS db FROM a JOIN b USING (content_id))
      SELECT count(*) FILTER (WHERE da <> db) FROM d`);
    expect(spam.flips).toBe(manual);
    expect(spam.divergence).toBeCloseTo(manual / spam.items, 10);
    for (const flip of comparison.flips) expect(flip.decisionA).not.toBe(flip.decisionB);
    // The same comparison as a job (what the UI uses) gives the same answer, and cancels.
    const input = {
      a: { model: 'text-distil', version: '2024.03.0' },
      b: { model: 'text-distil', version: '2026.11.1' },
    };
    const { jobId } = await call(host, 'models.compareStart', input);
    const job = await host.jobs.wait(jobId);
    expect(job.status).toBe('done');
    expect(job.result).toEqual(comparison);
    const cancelled = await call(host, 'models.compareStart', input);
    await call(host, 'jobs.cancel', { jobId: cancelled.jobId });
    expect((await host.jobs.wait(cancelled.jobId)).status).toBe('cancelled');
  });
});

describe('a remote model over the Open Inference Protocol', () => {
  let server: TestServer;
  let jsonOnly: TestServer;
  const texts = [CAMPAIGN, BENIGN, HATE, ''];
  const items = texts.map((text, i) => ({ contentId: `c${i}`, text, imageEmb: null, account: null }));
  let local: Float32Array;

  beforeAll(async () => {
    server = await startKServeServer({ modelsDir: path.resolve('models'), token: 'secret' });
    jsonOnly = await startKServeServer({ modelsDir: path.resolve('models'), binaryExtension: false });
    local = await (await LocalScorer.create(loadPackage(path.resolve('models/text-distil')), 'cpu')).score(items);
  });
  afterAll(async () => {
    await server?.close();
    await jsonOnly?.close();
  });

  it('scores with binary tensors when the server lists the extension, and JSON when not, matching local scoring', async () => {
    const pkg = loadPackage(path.resolve('models/text-distil'));
    const binary = await RemoteScorer.create(pkg, { url: server.url, token: 'secret' });
    expect(binary.note).toContain('binary');
    const viaBinary = await binary.score(items);
    const plain = await RemoteScorer.create(pkg, { url: jsonOnly.url });
    expect(plain.note).toContain('JSON');
    const viaJson = await plain.score(items);
    for (let i = 0; i < local.length; i++) {
      expect(viaBinary[i]).toBeCloseTo(local[i]!, 6);
      expect(viaJson[i]).toBeCloseTo(local[i]!, 6);
    }
    expect(server.requests.filter((r) => r.path.endsWith('/infer')).every((r) => r.binary && r.id)).toBe(true);
    expect(jsonOnly.requests.filter((r) => r.path.endsWith('/infer')).every((r) => !r.binary)).toBe(true);
    await binary.close();
    await plain.close();
  });

  it('sends raw text as a BYTES tensor to a model that takes text', async () => {
    const scorer = await RemoteScorer.create(loadPackage(path.resolve('models/text-distil')), {
      url: server.url,
      token: 'secret',
      model: 'text-distil-text',
    });
    const scores = await scorer.score(items);
    for (let i = 0; i < local.length; i++) expect(scores[i]).toBeCloseTo(local[i]!, 6);
    await scorer.close();
  });

  it('re-scores a query remotely through the same job, with the same scores as local', async () => {
    const job = await scoreJob({
      model: 'text-distil',
      sql: "SELECT content_id, text FROM content WHERE language = 'de' ORDER BY content_id LIMIT 200",
      remote: { url: server.url, token: 'secret', binary: 'always' },
    });
    expect(job.status).toBe('done');
    expect(job.result).toMatchObject({ provider: 'remote', items: 200, rows: 1000 });
  });

  it('says clearly when the token is wrong, the server is down, or the remote model does not match', async () => {
    const pkg = loadPackage(path.resolve('models/text-distil'));
    await expect(RemoteScorer.create(pkg, { url: server.url, token: 'wrong' })).rejects.toThrow(
      /HTTP 401 \(check the bearer token\)/,
    );
    await expect(RemoteScorer.create(pkg, { url: 'http://127.0.0.1:9', retries: 1 })).rejects.toThrow(
      /Remote model server 127\.0\.0\.1:9: ECONNREFUSED.*after 2 attempts/,
    );
    const fusion = loadPackage(path.resolve('models/text-fusion'));
    await expect(
      RemoteScorer.create(fusion, { url: server.url, token: 'secret', model: 'text-distil' }),
    ).rejects.toThrow(
      /Remote model text-distil at .* does not match the manifest of text-fusion: text_indices is missing/,
    );
    await expect(RemoteScorer.create(pkg, { url: server.url, token: 'secret', model: 'nope' })).rejects.toThrow(
      /readiness check of model nope failed with HTTP 404/,
    );
  });

  it('retries a busy server with backoff, and gives up on a slow one after its timeout', async () => {
    const busy = await startKServeServer({ modelsDir: path.resolve('models'), failFirst: 2 });
    const pkg = loadPackage(path.resolve('models/text-distil'));
    const scorer = await RemoteScorer.create(pkg, { url: busy.url, retries: 3 });
    const scores = await scorer.score(items.slice(0, 1));
    expect(scores[2]).toBeCloseTo(local[2]!, 6);
    expect(busy.requests.filter((r) => r.path.endsWith('/infer'))).toHaveLength(3);
    await scorer.close();
    await busy.close();
    const slow = await startKServeServer({ modelsDir: path.resolve('models'), delayMs: 800 });
    const impatient = await RemoteScorer.create(pkg, { url: slow.url, timeoutMs: 200, retries: 0 });
    await expect(impatient.score(items.slice(0, 1))).rejects.toThrow(/no answer within 200 ms/);
    await impatient.close();
    await slow.close();
  });

  const openssl = (() => {
    try {
      execFileSync('openssl', ['version']);
      return true;
    } catch {
      return false;
    }
  })();
  if (!openssl)
    console.warn(
      '[models] TLS test skipped: the openssl command is not installed (it makes the self-signed certificate).',
    );

  it.skipIf(!openssl)('talks TLS to a server with a self-signed certificate when given its CA', async () => {
    const dir = tempDir('sift-tls-');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const tls = await startKServeServer({
      modelsDir: path.resolve('models'),
      tls: { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) },
    });
    const pkg = loadPackage(path.resolve('models/text-distil'));
    await expect(RemoteScorer.create(pkg, { url: tls.url, retries: 0 })).rejects.toThrow(/self-signed certificate/);
    const trusted = await RemoteScorer.create(pkg, { url: tls.url, caFile: path.join(dir, 'cert.pem') });
    expect((await trusted.score(items.slice(0, 1)))[2]).toBeCloseTo(local[2]!, 6);
    await trusted.close();
    await tls.close();
  });
});
