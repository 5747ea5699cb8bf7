/**
 * The real-world check: Davidson et al. (2017), 24,783 crowd-labelled tweets, read from ../shared/datasets
 * (never copied into the project). Skipped, with the reason printed, where that folder is absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import type { ImportOutcome } from '../../shared/contract';
import { call, importFile, openTempHost } from './support';

const DAVIDSON = path.resolve('../shared/datasets/davidson-2017/labeled_data.csv');
const present = fs.existsSync(DAVIDSON);
if (!present)
  console.warn(`[realData] skipped: ${DAVIDSON} is absent (the shared datasets folder is not beside this checkout).`);

describe.skipIf(!present)('importing the Davidson 2017 corpus', () => {
  let host: Host;
  beforeAll(async () => {
    ({ host } = await openTempHost());
  });
  afterAll(async () => host?.close());

  it('imports every tweet with the published class balance', async () => {
    const job = await importFile(host, DAVIDSON, { table: 'davidson' });
    expect(job.status).toBe('done');
    expect((job.result as ImportOutcome).rows).toBe(24_783);
    // Class balance from the dataset's README: offensive 19,190 · neither 4,163 · hate 1,430.
    const balance = await call(host, 'query.run', {
      queryId: 'b',
      sql: 'SELECT "class", count(*) FROM davidson GROUP BY 1 ORDER BY 1',
    });
    expect(balance.rows).toEqual([
      ['0', '1430'],
      ['1', '19190'],
      ['2', '4163'],
    ]);
    const votes = await call(host, 'query.run', {
      queryId: 'v',
      sql: 'SELECT count(*) FROM davidson WHERE hate_speech + offensive_language + neither <> "count"',
    });
    expect(votes.rows).toEqual([['0']]);
  });
});
