/**
 * `sift drift`: a drift.weekly or drift.compare job (shared/drift.ts defines PSI and the share above 0.8), as a table
 * or --json; and the `drift` key `sift eval --json` carries (the week-over-week figures the Evaluate view shows).
 */
import type { DriftComparison, WeeklyDrift } from '../../shared/contract.js';
import { HIGH_SCORE, PSI_EPSILON, psiReading } from '../../shared/drift.js';
import { COMMANDS, parseCommand, UsageError } from './commands.js';
import { formatTable, runJob, withHost, type WorkspaceHost } from './hostCalls.js';

const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`);
const psiText = (psi: number | null) => (psi === null ? '—' : `${psi.toFixed(4)} ${psiReading(psi)}`);

function printWeekly(result: WeeklyDrift): void {
  process.stdout.write(
    formatTable(
      ['category', 'week', 'n', 'PSI vs week before', `above ${HIGH_SCORE}`],
      result.categories.flatMap(({ category, points }) =>
        points.map((point) => [category, point.week, point.n, psiText(point.psi), percent(point.above)]),
      ),
    ),
  );
  console.log(
    `${result.model} ${result.version}: each week (Monday, UTC, by scored_at) against the week before, in its 10 deciles (ε ${PSI_EPSILON})`,
  );
}

function printComparison(result: DriftComparison): void {
  const side = (s: DriftComparison['current']) =>
    `${s.version}${s.from || s.to ? ` [${s.from ?? '…'}, ${s.to ?? '…'})` : ''}`;
  process.stdout.write(
    formatTable(
      ['category', 'n', 'reference n', 'PSI', `above ${HIGH_SCORE}`, `reference above ${HIGH_SCORE}`],
      result.categories.map((c) => [
        c.category,
        c.current.n,
        c.reference.n,
        psiText(c.psi),
        percent(c.current.above),
        percent(c.reference.above),
      ]),
    ),
  );
  console.log(
    `${result.model} ${side(result.current)} against ${side(result.reference)}${result.sameItems ? ' on the items both scored' : ''}, in the reference's 10 deciles (ε ${PSI_EPSILON})`,
  );
}

export async function commandDrift(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.drift, args);
  const weeks = Number(values.weeks);
  if (!Number.isInteger(weeks) || weeks < 2 || weeks > 520)
    throw new UsageError('drift: --weeks is an integer from 2 to 520.');
  const referenced = values.reference || values['reference-from'] || values['reference-to'];
  if (values.weekly && referenced)
    throw new UsageError('drift: --weekly compares each week with the week before; it takes no --reference.');
  if (!referenced && (values.from || values.to))
    throw new UsageError(
      'drift: --from and --to choose the scores compared with a --reference; week over week reads the latest --weeks.',
    );
  return withHost(values.workspace, async (host) => {
    if (!referenced) {
      const result = await runJob(
        host,
        'drift.weekly',
        { model: values.model, version: values.version, weeks },
        'drift',
      );
      if (values.json) console.log(JSON.stringify(result, null, 2));
      else printWeekly(result);
      return 0;
    }
    const input = {
      model: values.model,
      version: values.version,
      from: values.from,
      to: values.to,
      reference: { version: values.reference, from: values['reference-from'], to: values['reference-to'] },
      sameItems: values['same-items'],
    };
    const result = await runJob(host, 'drift.compare', input, 'drift');
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else printComparison(result);
    return 0;
  });
}

/** `sift eval --json`'s `drift` key: each category's weeks, as the Evaluate view's drift card shows them. */
export async function evalDriftJson(host: WorkspaceHost, model: string, version: string) {
  const result = await runJob(host, 'drift.weekly', { model, version }, 'eval');
  return {
    against: 'the week before',
    bins: 'the 10 deciles of the week before',
    epsilon: PSI_EPSILON,
    weeks: result.weeks,
    categories: Object.fromEntries(
      result.categories.map(({ category, points }) => [
        category,
        points.map((point) => ({ week: point.week, n: point.n, psi: point.psi, fraction_above_0_8: point.above })),
      ]),
    ),
  };
}
