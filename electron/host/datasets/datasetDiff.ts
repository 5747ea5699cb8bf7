/** Comparing two dataset versions, both verified first, by reading their Parquet files side by side in DuckDB. */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetDiff, DatasetManifest } from '../../../shared/contract.js';
import { SiftError } from '../../../shared/errors.js';
import { DATASET_MANIFEST } from '../workspace/fileAccess.js';
import { quoteIdent, quoteLiteral, type Workspace } from '../workspace/workspace.js';
import { verifyDataset } from './datasetVerify.js';

/** What changed from one dataset version to another: items added, removed, relabeled (per category) and moved, per split. */
export async function diffDatasets(workspace: Workspace, from: string, to: string): Promise<DatasetDiff> {
  const read = async (dir: string): Promise<DatasetManifest> => {
    const check = await verifyDataset(workspace, dir);
    if (!check.ok) throw new SiftError({ code: 'BAD_REQUEST', message: `${dir}: ${check.problems[0]}`, file: dir });
    return JSON.parse(fs.readFileSync(path.join(dir, DATASET_MANIFEST), 'utf8')) as DatasetManifest;
  };
  const [a, b] = [await read(from), await read(to)];
  const parquet = (dir: string, manifest: DatasetManifest) =>
    `(${manifest.files
      .filter((file) => file.format === 'parquet')
      .map(
        (file) =>
          `SELECT *, ${quoteLiteral(file.split)} AS split FROM read_parquet(${quoteLiteral(path.join(dir, file.path))})`,
      )
      .join(' UNION ALL BY NAME ')})`;
  const categories = b.labelSchema.categories.filter((category) => a.labelSchema.categories.includes(category));
  return workspace.withResults(async (conn) => {
    const rows = (
      await conn.runAndReadAll(`
        SELECT coalesce(o.content_id, n.content_id), o.split, n.split, ${categories.map((c) => `o.${quoteIdent(c)}, n.${quoteIdent(c)}`).join(', ')}
        FROM ${parquet(from, a)} o FULL OUTER JOIN ${parquet(to, b)} n ON o.content_id = n.content_id`)
    ).getRowsJson();
    const diff: DatasetDiff = {
      from,
      to,
      added: 0,
      removed: 0,
      relabeled: 0,
      moved: 0,
      perSplit: {},
      perCategory: Object.fromEntries(categories.map((c) => [c, { relabeled: 0, toPositive: 0, toNegative: 0 }])),
    };
    const bump = (split: string, key: 'added' | 'removed' | 'relabeled') => {
      diff.perSplit[split] ??= { added: 0, removed: 0, relabeled: 0 };
      diff.perSplit[split]![key]++;
    };
    for (const row of rows) {
      const [, oldSplit, newSplit] = row as [string, string | null, string | null];
      if (oldSplit === null) {
        diff.added++;
        bump(newSplit!, 'added');
        continue;
      }
      if (newSplit === null) {
        diff.removed++;
        bump(oldSplit, 'removed');
        continue;
      }
      if (oldSplit !== newSplit) diff.moved++;
      let changed = false;
      categories.forEach((category, k) => {
        const before = row[3 + 2 * k];
        const after = row[4 + 2 * k];
        if (before === after) return;
        changed = true;
        const entry = diff.perCategory[category]!;
        entry.relabeled++;
        if (Number(after) === 1) entry.toPositive++;
        else entry.toNegative++;
      });
      if (changed) {
        diff.relabeled++;
        bump(newSplit, 'relabeled');
      }
    }
    return diff;
  });
}
