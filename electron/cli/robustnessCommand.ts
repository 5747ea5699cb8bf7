/** `sift robustness`: a robustness.run job (shared/robustness.ts defines its figures), as a table or --json. */
import type { RobustnessResult } from '../../shared/robustness.js';
import { COMMANDS, parseCommand, UsageError } from './commands.js';
import { formatTable, runJob, withHost } from './hostCalls.js';

const count = (text: string, flag: string, min: number, max: number) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`robustness: --${flag} is an integer from ${min} to ${max.toLocaleString('en-US')}.`);
  return n;
};

const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`);
const drop = (value: number | null) =>
  value === null ? '' : ` (${value > 0 ? '−' : '+'}${(100 * Math.abs(value)).toFixed(1)})`;

function printTable(result: RobustnessResult): void {
  process.stdout.write(
    formatTable(
      ['category', 'positives', 'clean', ...result.transforms.map((t) => t.name)],
      result.categories.map((c) => [
        c.category,
        c.positives,
        percent(c.cleanRecall),
        ...c.transforms.map((t) => `${percent(t.recall)}${drop(t.drop)}`),
      ]),
    ),
  );
  console.log(
    `${result.model} ${result.version}: recall at each category's escalate threshold, clean and under each transform (drop in points); labels from ${result.labelSource}`,
  );
  if (result.latency)
    console.log(
      `latency per item: p99 ${result.latency.p99Ms.toFixed(2)} ms, p50 ${result.latency.p50Ms.toFixed(2)} ms over ${result.latency.items} items (${result.latency.provider})`,
    );
}

export async function commandRobustness(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.robustness, args);
  const limit = count(values.limit, 'limit', 1, 1_000_000);
  const latencySample = count(values['latency-sample'], 'latency-sample', 0, 10_000);
  return withHost(values.workspace, async (host) => {
    const input = { model: values.model, version: values.version, labels: values.labels, limit, latencySample };
    const result = await runJob(host, 'robustness.run', input, 'robustness');
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else if (!result.applicable) console.log(`${result.model} ${result.version}: not applicable: ${result.reason}`);
    else printTable(result);
    return 0;
  });
}
