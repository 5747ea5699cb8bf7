/**
 * The model commands: `sift models` (models.list), `sift score` (a models.score job), `sift eval` (eval.run, and
 * eval.metrics for --json) and `sift spike` (spike.overview). Their JSON is what scripts read: its keys stay as they
 * are (new ones may be added).
 */
import type { InputOf } from '../../shared/contract.js';
import { tiedNote } from '../../shared/labeling.js';
import { evalDriftJson } from './driftCommand.js';
import { COMMANDS, parseCommand, UsageError } from './commands.js';
import { evalJson } from './evalJson.js';
import { call, formatTable, runJob, withHost } from './hostCalls.js';

type Overview = InputOf<'spike.overview'>;

export async function commandSpike(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.spike, args);
  const threshold = Number(values.threshold);
  if (!Number.isFinite(threshold) || threshold <= 0)
    throw new UsageError('spike: --threshold is a positive number (a z-score).');
  const minCount = Number(values['min-count']);
  if (!Number.isInteger(minCount) || minCount < 0)
    throw new UsageError('spike: --min-count is a whole number of items, 0 or more.');
  return withHost(values.workspace, async (host) => {
    const overview = await call(host, 'spike.overview', {
      // The flags' values as typed; the contract checks them.
      source: values.source as Overview['source'],
      by: values.by as Overview['by'],
      bucket: values.bucket as Overview['bucket'],
      threshold,
      minCount,
    });
    if (values.json) {
      // Scripts rely on exactly these keys.
      console.log(
        JSON.stringify(
          overview.windows.map(({ start, end, series, z }) => ({ start, end, series, z })),
          null,
          2,
        ),
      );
      return 0;
    }
    process.stdout.write(
      formatTable(
        ['start', 'end', 'series', 'z', 'count', 'expected'],
        overview.windows.map((w) => [w.start, w.end, w.series, w.z, w.count, w.expected]),
      ),
    );
    for (const marker of overview.markers)
      console.log(`model ${marker.model} ${marker.previous} → ${marker.version} at ${marker.at}`);
    return 0;
  });
}

export async function commandModels(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.models, args);
  return withHost(values.workspace, async (host) => {
    const models = await call(host, 'models.list', {});
    if (values.json) {
      console.log(
        JSON.stringify(
          models.map((m) => ({
            name: m.name,
            version: m.version,
            kind: m.kind,
            categories: m.categories,
            runtime: m.kind === 'late_fusion' ? 'cuda (cpu fallback)' : 'cpu',
            hash: m.hash,
            dir: m.dir,
            source: m.source,
            ...(m.error ? { error: m.error } : {}),
          })),
          null,
          2,
        ),
      );
      return 0;
    }
    process.stdout.write(
      formatTable(
        ['model', 'version', 'kind', 'categories', 'runtime', 'hash', 'problem'],
        models.map((m) => [
          m.name,
          m.version,
          m.kind,
          m.categories.join(','),
          m.kind === 'late_fusion' ? 'cuda→cpu' : 'cpu',
          m.hash.slice(0, 12),
          m.error ?? '',
        ]),
      ),
    );
    return 0;
  });
}

export async function commandScore(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.score, args);
  const batchSize = values.batch ? Number(values.batch) : undefined;
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1))
    throw new UsageError('score: --batch is a positive integer.');
  const remote = values.remote
    ? {
        url: values.remote,
        model: values['remote-model'],
        token: values['remote-token'] ?? process.env.SIFT_REMOTE_TOKEN,
        caFile: values['remote-ca'],
        binary: values.binary as 'auto' | 'always' | 'never' | undefined,
      }
    : undefined;
  return withHost(values.workspace, async (host) => {
    const outcome = await runJob(
      host,
      'models.score',
      { model: values.model, sql: values.sql, remote, batchSize },
      `score ${values.model}`,
    );
    if (values.json) {
      console.log(JSON.stringify(outcome, null, 2));
      return 0;
    }
    console.log(
      `Scored ${outcome.items} items with ${outcome.model} ${outcome.version} on ${outcome.provider} (${outcome.note}): ${outcome.rows} scores written to model_scores (run ${outcome.runId}, ${outcome.replaced} earlier scores of this version replaced) in ${(outcome.elapsedMs / 1000).toFixed(1)} s, ${outcome.itemsPerSecond} items/s`,
    );
    const images = outcome.imageEmbeddings;
    // Only when media were involved: a workspace without media prints what it always printed.
    if (images && (images.items > 0 || images.failed > 0)) {
      console.log(
        `Image embeddings from media (${images.encoder} ${images.version} on ${images.provider}): ${images.items} items, ${images.computed} files encoded now, the rest read from Sift's store${images.failed ? `; ${images.failed} files could not be encoded, their items scored without an image:` : ''}`,
      );
      for (const error of images.errors) console.log(`  ${error}`);
    }
    return 0;
  });
}

export async function commandEval(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.eval, args);
  const bins = Number(values.bins);
  if (!Number.isInteger(bins) || bins < 2 || bins > 100)
    throw new UsageError('eval: --bins is an integer from 2 to 100.');
  return withHost(values.workspace, async (host) => {
    const input = { model: values.model, version: values.version, labels: values.labels, bins };
    const result = await runJob(host, 'eval.run', input, 'eval');
    if (values.json) {
      const metrics = await call(host, 'eval.metrics', {
        model: result.model,
        version: result.version,
        labels: values.labels,
      });
      const drift = await evalDriftJson(host, result.model, result.version);
      const strategy = values.strategy as 'uniform' | 'quantile';
      console.log(JSON.stringify(evalJson(result, metrics, bins, strategy, { drift }), null, 2));
      return 0;
    }
    const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(4));
    process.stdout.write(
      formatTable(
        ['category', 'n', 'positives', 'AP', 'ROC AUC', 'Brier', `ECE (${bins})`, 'MCE'],
        result.categories.map((c) => [
          c.category,
          c.n,
          c.positives,
          fmt(c.averagePrecision),
          fmt(c.rocAuc),
          fmt(c.brier),
          fmt(c.ece),
          fmt(c.mce),
        ]),
      ),
    );
    console.log(`${result.model} ${result.version}, labels from ${result.labelSource}`);
    if (result.tied.items > 0) console.log(tiedNote(result.tied.items));
    return 0;
  });
}
