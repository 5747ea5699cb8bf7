/**
 * `sift backtest --session ID --cut DATE [--json]`: the session's recipe trained on content created before the cut,
 * judged on labeled content created at or after it, beside the same recipe cross-validated before it — the decay a
 * policy or a season causes (shared/backtest.ts). Through the host's `sessions.backtest` job.
 *
 * Exit codes: 0 the backtest ran; 2 it cannot judge (a bad date, an unknown session, a cut with no labeled content
 * before or after it, a model with no recipe here), named on stderr; 1 anything else.
 */
import { CUT_FORMS, parseCut, type BacktestFigures } from '../../shared/backtest.js';
import { SiftError, toErrorInfo } from '../../shared/errors.js';
import { Host } from '../host/host.js';
import { COMMANDS, parseCommand, UsageError } from './commands.js';
import { formatTable, runJob, withHost } from './hostCalls.js';

/** What the host answers when the backtest cannot be judged (rather than failed). */
const CANNOT_JUDGE = new Set(['BAD_REQUEST', 'NOT_FOUND']);

export async function commandBacktest(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.backtest, args);
  if (parseCut(values.cut) === null) throw new UsageError(`--cut: "${values.cut}" is not ${CUT_FORMS}.`);
  const input = Host.validate('sessions.backtest', { sessionId: values.session, cut: values.cut });
  return withHost(values.workspace, async (host) => {
    let outcome;
    try {
      outcome = await runJob(host, 'sessions.backtest', input, `backtest ${input.sessionId}`);
    } catch (error) {
      if (!(error instanceof SiftError && CANNOT_JUDGE.has(error.info.code))) throw error;
      console.error(`sift: cannot judge: ${toErrorInfo(error).message}`);
      return 2;
    }
    if (values.json) {
      console.log(JSON.stringify(outcome, null, 2));
      return 0;
    }
    console.log(
      `Backtest of session ${outcome.sessionId} (${outcome.model} ${outcome.version}'s recipe) at ${outcome.cut}: trained on ${outcome.trainItems} items before the cut (${outcome.trainLabeled} labeled by people), judged on ${outcome.testLabeled} labeled items at or after it; in-sample ${outcome.inSampleMethod}.`,
    );
    const show = (value: number | null) => (value === null ? '—' : value.toFixed(3));
    // A drop that rounds to zero is +0.000, never -0.000.
    const signed = (value: number | null) =>
      value === null
        ? '—'
        : `${value.toFixed(3) === '-0.000' || value >= 0 ? '+' : ''}${value.toFixed(3).replace('-0.000', '0.000')}`;
    const pair = (side: BacktestFigures, pick: (side: BacktestFigures) => number | null) => show(pick(side));
    process.stdout.write(
      formatTable(
        [
          'category',
          'n_train',
          'n_test',
          'ap_in',
          'ap_out',
          'ap_drop',
          'auc_in',
          'auc_out',
          'auc_drop',
          'threshold',
          'recall_in',
          'recall_out',
          'recall_drop',
          'note',
        ],
        outcome.categories.map((c) => [
          c.category,
          `${c.nTrain} (${c.inSample.positives}+)`,
          `${c.nTest} (${c.outOfTime.positives}+)`,
          pair(c.inSample, (s) => s.averagePrecision),
          pair(c.outOfTime, (s) => s.averagePrecision),
          signed(c.drop.averagePrecision),
          pair(c.inSample, (s) => s.rocAuc),
          pair(c.outOfTime, (s) => s.rocAuc),
          signed(c.drop.rocAuc),
          c.threshold,
          pair(c.inSample, (s) => s.recall),
          pair(c.outOfTime, (s) => s.recall),
          signed(c.drop.recall),
          c.reason ?? '',
        ]),
      ),
    );
    if (outcome.undated > 0) console.log(`${outcome.undated} labeled item(s) have no created_at and were left out.`);
    return 0;
  });
}
