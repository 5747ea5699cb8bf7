/**
 * Obfuscation robustness (issue 25): 10,000 positives × 6 transforms scored with the distilled model (text-distil,
 * CPU) by the robustness.run job, against the model's plain scoring rate in the same run — `sift score`'s job
 * (models.score) over the same 10,000 texts. Target: the suite's rate (texts scored a second: positives × 7, clean
 * and transformed, over the job's whole wall time, reading and transforming included) ≥ 0.8× the plain rate. The
 * runtime alone (the same texts through the scorer in batches of 1,024, one after another) is given beside it.
 */
import path from 'node:path';
import { Host } from '../electron/host/host.js';
import type { JobContext } from '../electron/host/jobs.js';
import { scoreQuery } from '../electron/host/models/scoring.js';
import { createSampleWorkspace } from '../electron/host/samples/sampleWorkspace.js';
import type { RobustnessResult } from '../shared/robustness.js';
import { generatePlatformSample } from '../sample-data/generate.js';

const POSITIVES = 10_000;
const quietJob: JobContext = { signal: new AbortController().signal, progress: () => undefined, log: () => undefined };
const perSecond = (n: number, ms: number) => n / (ms / 1000);
const shown = (rate: number) => `${Math.round(rate).toLocaleString('en-US')} texts/s`;

export async function robustnessBenchmark(scratch: string, log: (line: string) => void): Promise<void> {
  log(`## Obfuscation robustness: ${POSITIVES.toLocaleString('en-US')} positives × 6 transforms, text-distil on CPU`);
  const sampleDir = path.join(scratch, 'robustness-sample');
  await generatePlatformSample({ rows: POSITIVES, seed: 11, out: sampleDir, media: 'none' });
  const workspaceDir = path.join(scratch, 'robustness-workspace');
  await (await createSampleWorkspace(workspaceDir, { from: sampleDir })).close();
  const host = await Host.open(workspaceDir, { remember: false });
  try {
    const items = `SELECT content_id, text FROM content WHERE text IS NOT NULL ORDER BY content_id LIMIT ${POSITIVES}`;
    // Every item a positive (spam), so the suite transforms exactly the texts plain scoring reads.
    const labels = `SELECT content_id, 'spam' AS category, 1 AS label FROM (${items})`;
    const warm = await host.dispatchJob('robustness.run', {
      model: 'text-distil',
      labels,
      limit: 500,
      latencySample: 0,
    });
    if (!warm.ok) throw new Error(warm.error.message);

    const plainStarted = performance.now();
    const plain = await scoreQuery(host.workspace, host.models, { model: 'text-distil', sql: items }, quietJob);
    const plainRate = perSecond(plain.items, performance.now() - plainStarted);

    const { scorer } = await host.models.scorer('text-distil');
    const rows = await host.workspace.withConnection(async (conn) => (await conn.runAndReadAll(items)).getRowsJson());
    const texts = rows.map((row) => ({
      contentId: String(row[0]),
      text: String(row[1]),
      imageEmb: null,
      account: null,
    }));
    const runtimeStarted = performance.now();
    for (let i = 0; i < texts.length; i += 1024) await scorer.score(texts.slice(i, i + 1024));
    const runtimeRate = perSecond(texts.length, performance.now() - runtimeStarted);

    const suiteStarted = performance.now();
    const suite = await host.dispatchJob('robustness.run', {
      model: 'text-distil',
      labels,
      limit: POSITIVES,
      latencySample: 0,
    });
    const suiteMs = performance.now() - suiteStarted;
    if (!suite.ok) throw new Error(suite.error.message);
    const result: RobustnessResult = suite.value;
    const suiteRate = perSecond(result.textsScored, suiteMs);
    const ratio = suiteRate / plainRate;
    log(`plain scoring (models.score, ${plain.items.toLocaleString('en-US')} items): ${shown(plainRate)}`);
    log(`the runtime alone (batches of 1,024, one after another):  ${shown(runtimeRate)}`);
    log(
      `obfuscation suite (${result.textsScored.toLocaleString('en-US')} texts: clean + ${result.transforms.length} transforms, ${(suiteMs / 1000).toFixed(1)} s): ${shown(suiteRate)} = ${ratio.toFixed(2)}× plain scoring (target ≥ 0.80×: ${ratio >= 0.8 ? 'met' : 'NOT met'}), ${(suiteRate / runtimeRate).toFixed(2)}× the runtime alone`,
    );
    const spam = result.categories.find((c) => c.category === 'spam')!;
    log(
      `spam recall clean ${(100 * spam.cleanRecall!).toFixed(1)}%; under ${spam.transforms.map((t) => `${t.transform} ${(100 * t.recall!).toFixed(1)}%`).join(', ')}`,
    );
  } finally {
    await host.close();
  }
}
