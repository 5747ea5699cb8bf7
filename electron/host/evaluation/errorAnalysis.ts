/**
 * Error analysis for one category at the thresholds in force: the confusion counts, the words that set false
 * positives apart from true positives, the two score distributions side by side, and the items behind any count,
 * bin or slice — with their text, context, score and who labelled them. The design page's habit ("read 200 false
 * positives and 200 false negatives per category") in two clicks instead of three hand-written queries.
 */
import type { ErrorAnalysis, EvalItems, ItemKind } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { DEFAULT_THRESHOLDS, flagThreshold } from '../../../shared/routing.js';
import { logOddsTerms, termCounts } from '../../../shared/termContrast.js';
import type { JobContext } from '../jobs.js';
import type { ModelRegistry } from '../models/registry.js';
import { relationKind } from '../query/readOnlyQuery.js';
import type { Workspace } from '../workspace/workspace.js';
import { aggregatePairs, thresholdsFor } from './pairsQuery.js';

/** Texts read for the term contrast, per side (a hash sample beyond it: the same sample on every run). */
const TERM_SAMPLE = 3000;
const DISTRIBUTION_BINS = 20;

interface CategoryInput {
  model: string;
  version?: string;
  labels?: string;
  category: string;
  thresholds?: Record<string, { remove: number; escalate: number }>;
}

function thresholdFor(registry: ModelRegistry, input: CategoryInput): number {
  const { thresholds, critical } = thresholdsFor(registry, input.model);
  return flagThreshold(
    input.thresholds?.[input.category] ?? thresholds[input.category] ?? DEFAULT_THRESHOLDS,
    critical.includes(input.category),
  );
}

const KIND_SQL: Record<Exclude<ItemKind, 'all'>, string> = {
  tp: 'score >= $threshold AND label = 1',
  fp: 'score >= $threshold AND label = 0',
  fn: 'score < $threshold AND label = 1',
  tn: 'score < $threshold AND label = 0',
};

export async function errorAnalysis(
  workspace: Workspace,
  registry: ModelRegistry,
  input: CategoryInput,
  ctx?: JobContext,
): Promise<ErrorAnalysis> {
  const threshold = thresholdFor(registry, input);
  const { version, value } = await aggregatePairs(
    workspace,
    registry,
    input,
    ctx,
    'Error analysis cancelled.',
    async (conn, pairs) => {
      if (!pairs.categories.includes(input.category))
        throw new SiftError({
          code: 'NOT_FOUND',
          message: `category: ${input.model} has no scores for "${input.category}" (it scores ${pairs.categories.join(', ')}).`,
        });
      const params = { ...pairs.params, category: input.category, threshold };
      const cte = `${pairs.withPairs}, mine AS (SELECT content_id, score, label FROM pairs WHERE category = $category AND NOT invalid)`;
      const [confusion] = (
        await conn.runAndReadAll(
          `${cte} SELECT count(*) FILTER (WHERE ${KIND_SQL.tp}), count(*) FILTER (WHERE ${KIND_SQL.fp}), count(*) FILTER (WHERE ${KIND_SQL.fn}), count(*) FILTER (WHERE ${KIND_SQL.tn}) FROM mine`,
          params,
        )
      ).getRowsJson();
      const width = (1 - threshold) / DISTRIBUTION_BINS || 1 / DISTRIBUTION_BINS;
      const bins = (
        await conn.runAndReadAll(
          `${cte} SELECT least(floor((score - $threshold) / $width), ${DISTRIBUTION_BINS - 1})::INTEGER AS bin, count(*) FILTER (WHERE label = 0), count(*) FILTER (WHERE label = 1)
         FROM mine WHERE score >= $threshold GROUP BY bin`,
          { ...params, width },
        )
      ).getRowsJson();
      // Texts of both sides, a stable hash sample when there are many; content is optional (terms need it).
      let texts = { fp: [] as string[], tp: [] as string[] };
      if (await relationKind(conn, 'content')) {
        const rows = (
          await conn.runAndReadAll(
            `${cte}, sides AS (SELECT content_id, label = 0 AS fp, row_number() OVER (PARTITION BY label ORDER BY hash(content_id)) AS k FROM mine WHERE score >= $threshold)
           SELECT s.fp, c.text::VARCHAR FROM sides s JOIN content c ON c.content_id::VARCHAR = s.content_id WHERE s.k <= ${TERM_SAMPLE} AND c.text IS NOT NULL`,
            params,
          )
        ).getRowsJson();
        texts = {
          fp: rows.filter((row) => row[0] === true).map((row) => String(row[1])),
          tp: rows.filter((row) => row[0] !== true).map((row) => String(row[1])),
        };
      }
      return { confusion: confusion!.map(Number), bins, texts, width };
    },
  );
  const [truePositives, falsePositives, falseNegatives, trueNegatives] = value.confusion as [
    number,
    number,
    number,
    number,
  ];
  const fpBins = new Array<number>(DISTRIBUTION_BINS).fill(0);
  const tpBins = new Array<number>(DISTRIBUTION_BINS).fill(0);
  for (const [bin, fp, tp] of value.bins) {
    fpBins[Number(bin)] = Number(fp);
    tpBins[Number(bin)] = Number(tp);
  }
  const terms =
    value.texts.fp.length && value.texts.tp.length
      ? logOddsTerms(termCounts(value.texts.fp), termCounts(value.texts.tp)).slice(0, 25)
      : [];
  return {
    model: input.model,
    version,
    category: input.category,
    threshold,
    confusion: { truePositives, falsePositives, falseNegatives, trueNegatives },
    terms: terms.map((term) => ({
      term: term.term,
      falsePositives: term.focusCount,
      truePositives: term.baselineCount,
      z: Math.round(term.z * 100) / 100,
    })),
    distribution: { start: threshold, binWidth: value.width, falsePositives: fpBins, truePositives: tpBins },
  };
}

export async function evalItems(
  workspace: Workspace,
  registry: ModelRegistry,
  input: CategoryInput & {
    kind: ItemKind;
    score?: { from: number; to: number };
    slice?: { dimension: string; value: string };
    limit: number;
    offset: number;
  },
  ctx?: JobContext,
): Promise<EvalItems> {
  const threshold = thresholdFor(registry, input);
  const { value } = await aggregatePairs(workspace, registry, input, ctx, 'Cancelled.', async (conn, pairs) => {
    const params: Record<string, string | number> = { ...pairs.params, category: input.category };
    const where = ['category = $category', 'NOT invalid'];
    if (input.kind !== 'all') {
      params.threshold = threshold;
      where.push(KIND_SQL[input.kind]);
    }
    if (input.score) {
      params.from = input.score.from;
      if (input.score.to < 1) params.to = input.score.to; // DuckDB refuses a parameter the statement does not use
      where.push(input.score.to >= 1 ? 'score >= $from' : 'score >= $from AND score < $to');
    }
    if (input.slice) {
      params.sliceValue = input.slice.value;
      where.push(`${input.slice.dimension} = $sliceValue`); // the dimension is one of four names the contract allows
    }
    // False positives worst first (highest score), false negatives worst first (lowest), else by score.
    const order = input.kind === 'fn' ? 'score ASC' : 'score DESC';
    const cte = `${input.slice ? pairs.withSlicedPairs : pairs.withPairs}, picked AS (SELECT content_id, score, label FROM pairs WHERE ${where.join(' AND ')})`;
    const total = Number((await conn.runAndReadAll(`${cte} SELECT count(*) FROM picked`, params)).getRowsJson()[0]![0]);
    const hasContent = (await relationKind(conn, 'content')) !== null;
    // The user's own content table may lack some canonical columns: each missing one reads as NULL.
    const present = new Set(
      (
        await conn.runAndReadAll(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = 'content'`,
        )
      )
        .getRowsJson()
        .map((row) => String(row[0])),
    );
    const column = (name: string, expression = `c.${name}::VARCHAR`) => (present.has(name) ? expression : 'NULL');
    const rows = (
      await conn.runAndReadAll(
        `${cte}, page AS (SELECT * FROM picked ORDER BY ${order}, content_id LIMIT ${input.limit} OFFSET ${input.offset})
         SELECT p.content_id, p.score, p.label,
                ${column('text')}, ${column('surface')}, ${column('language')}, ${column('created_at', "strftime(c.created_at::TIMESTAMP, '%Y-%m-%dT%H:%M:%S')")},
                (SELECT list(struct_pack(annotator := l.annotator_id, value := l.value) ORDER BY l.annotator_id) FROM current_labels l WHERE l.content_id::VARCHAR = p.content_id AND l.category = $category)
         FROM page p ${hasContent ? 'LEFT JOIN content c ON c.content_id::VARCHAR = p.content_id' : ''}
         ORDER BY p.${order}, p.content_id`,
        params,
      )
    ).getRowsJson();
    return { total, rows };
  });
  return {
    total: value.total,
    items: value.rows.map(([contentId, score, label, text, surface, language, createdAt, labelledBy]) => {
      const s = Number(score);
      const l = Number(label) as 0 | 1;
      const flagged = s >= threshold;
      return {
        contentId: String(contentId),
        score: s,
        label: l,
        kind: flagged ? (l === 1 ? 'tp' : 'fp') : l === 1 ? 'fn' : 'tn',
        text: text === null ? null : String(text),
        surface: surface === null ? null : String(surface),
        language: language === null ? null : String(language),
        createdAt: createdAt === null ? null : String(createdAt),
        labelledBy: Array.isArray(labelledBy)
          ? (labelledBy as { annotator: string; value: string }[]).map((entry) => ({
              annotator: String(entry.annotator),
              value: String(entry.value),
            }))
          : [],
      };
    }),
  };
}
