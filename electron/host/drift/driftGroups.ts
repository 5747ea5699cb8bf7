/**
 * Drift of groups of scores against other groups, in DuckDB, equal to shared/drift.ts's definition: the reference
 * deciles are interpolated in JavaScript (numpy's rule, shared/drift.ts) from the sorted values at the two positions
 * each quantile reads, so they are the same doubles numpy gives; the bins are counted in SQL as cumulative counts at
 * each edge (`score <= edge`), the PSI is summed by psiFromCounts. A million scores never cross to JavaScript.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  type CategoryDrift,
  DRIFT_QUANTILES,
  edgesFromPositions,
  HIGH_SCORE,
  psiFromCounts,
} from '../../../shared/drift.js';

/**
 * The scores, as WITH clauses ending in `scored(category VARCHAR, grp VARCHAR, score DOUBLE)`: one score per item,
 * category and group (a period, a version, a week), NULL scores left out. Its parameters travel beside it.
 */
export interface ScoredGroups {
  withScored: string;
  params: Record<string, string | number>;
}

/** Bin the `current` group's scores over the `reference` group's edges. */
export interface GroupPair {
  current: string;
  reference: string;
}

const key = (category: string, group: string) => JSON.stringify([category, group]);
/** A double as SQL, exactly: the shortest text that reads back as the same double, cast from a string. */
const exactDouble = (value: number) => `'${String(value)}'::DOUBLE`;

/** Each pair's drift per category (every category either group has), keyed by pairKey(pair). */
export async function driftOfGroups(
  conn: DuckDBConnection,
  scored: ScoredGroups,
  pairs: GroupPair[],
): Promise<Map<string, CategoryDrift[]>> {
  // Each query's strings go in as its parameters ($d0, $d1, …); numbers made here are written out.
  const bag = () => {
    const params = { ...scored.params };
    const names = new Map<string, string>();
    const param = (value: string) => {
      let name = names.get(value);
      if (!name) names.set(value, (name = `d${names.size}`));
      params[name] = value;
      return `$${name}`;
    };
    return { params, param };
  };

  // One pass: each group's n and share above 0.8, and each reference group's sorted values at the positions numpy
  // reads (floor((n − 1)·q) and the next, in the same double arithmetic as quantilePositions).
  const references = [...new Set(pairs.map((pair) => pair.reference))];
  const firstQuery = bag();
  const positionList = DRIFT_QUANTILES.flatMap((q) => {
    const below = `floor((n - 1)::DOUBLE * ${exactDouble(q)})::BIGINT`;
    return [below, `least(${below} + 1, n - 1)`];
  }).join(', ');
  const stats = new Map<string, { n: number; above: number }>();
  const categories = new Set<string>();
  const valueAt = new Map<string, number>();
  for (const [category, group, n, above, position, score] of (
    await conn.runAndReadAll(
      `${scored.withScored},
       stats AS (SELECT category, grp, count(*) AS n, count(*) FILTER (WHERE score > ${HIGH_SCORE}) AS above FROM scored GROUP BY ALL),
       ranked AS (SELECT category, grp, score, row_number() OVER (PARTITION BY category, grp ORDER BY score) - 1 AS i,
                         count(*) OVER (PARTITION BY category, grp) AS n
                  FROM scored WHERE grp IN (${references.map((group) => firstQuery.param(group)).join(', ') || 'NULL'}))
       SELECT category, grp, n, above, NULL::BIGINT AS i, NULL::DOUBLE AS score FROM stats
       UNION ALL
       SELECT category, grp, n, NULL, i, score FROM ranked WHERE list_contains([${positionList}], i)`,
      firstQuery.params,
    )
  ).getRowsJson()) {
    if (position === null) {
      categories.add(String(category));
      stats.set(key(String(category), String(group)), { n: Number(n), above: Number(above) });
    } else valueAt.set(JSON.stringify([category, group, Number(position)]), Number(score));
  }
  const nOf = (category: string, group: string) => stats.get(key(category, group))?.n ?? 0;
  const edges = new Map<string, number[]>();
  for (const category of categories)
    for (const group of references)
      edges.set(
        key(category, group),
        edgesFromPositions(nOf(category, group), (i) => {
          const value = valueAt.get(JSON.stringify([category, group, i]));
          if (value === undefined)
            throw new Error(`drift: no sorted value read at position ${i} of ${nOf(category, group)} scores`);
          return value;
        }),
      );

  // Each group's counts per bin over its pair's reference edges: bin = how many edges lie strictly below the score.
  const countQuery = bag();
  const edgeRows: string[] = [];
  for (const category of categories)
    for (const pair of pairs)
      for (const data of new Set([pair.current, pair.reference])) {
        const cuts = edges.get(key(category, pair.reference))!;
        edgeRows.push(
          `(${countQuery.param(category)}, ${countQuery.param(data)}, ${countQuery.param(pair.reference)}, [${cuts.map(exactDouble).join(', ')}]::DOUBLE[])`,
        );
      }
  const binned = new Map<string, number>();
  if (edgeRows.length)
    for (const [category, group, edgeGroup, bin, count] of (
      await conn.runAndReadAll(
        `${scored.withScored},
         edges(category, grp, edge_grp, cuts) AS (VALUES ${edgeRows.join(', ')})
         SELECT e.category, e.grp, e.edge_grp, len(list_filter(e.cuts, cut -> cut < s.score)) AS bin, count(*)
         FROM scored s JOIN edges e ON e.category = s.category AND e.grp = s.grp GROUP BY ALL`,
        countQuery.params,
      )
    ).getRowsJson())
      binned.set(JSON.stringify([category, group, edgeGroup, Number(bin)]), Number(count));
  const countsOver = (category: string, data: string, reference: string) =>
    Array.from(
      { length: edges.get(key(category, reference))!.length + 1 },
      (_, bin) => binned.get(JSON.stringify([category, data, reference, bin])) ?? 0,
    );

  const side = (category: string, group: string) => {
    const figures = stats.get(key(category, group));
    return figures ? { n: figures.n, above: figures.above / figures.n } : { n: 0, above: null };
  };
  const result = new Map<string, CategoryDrift[]>();
  for (const pair of pairs)
    result.set(
      pairKey(pair),
      [...categories].sort().map((category) => ({
        category,
        psi: psiFromCounts(
          countsOver(category, pair.reference, pair.reference),
          countsOver(category, pair.current, pair.reference),
        ),
        reference: side(category, pair.reference),
        current: side(category, pair.current),
        edges: edges.get(key(category, pair.reference))!,
      })),
    );
  return result;
}

export const pairKey = (pair: GroupPair) => JSON.stringify([pair.current, pair.reference]);
