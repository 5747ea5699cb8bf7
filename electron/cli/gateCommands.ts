/**
 * `sift gate`: a candidate model version judged against the gate file (gate.run), for a CI pipeline. Exit codes are
 * the contract: 0 every gate passed, 1 a gate failed, 2 it could not judge (no labels, no common items, a bad gate
 * file, a usage mistake — named on stderr). `--json` keys keep their meaning (shared/gates.ts gateReportJson).
 */
import path from 'node:path';
import { toErrorInfo } from '../../shared/errors.js';
import { type GateReport, type GateResult, gateReportJson } from '../../shared/gates.js';
import { COMMANDS, parseCommand } from './commands.js';
import { checkReportDir, writeReleaseReport } from './releaseReportFiles.js';
import { formatTable, runJob, withHost } from './hostCalls.js';

const CANNOT_JUDGE = 2;

export async function commandGate(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.gate, args);
  try {
    // A DIR that cannot hold the report is refused before anything is judged.
    if (values.report) checkReportDir(values.report);
    return await withHost(values.workspace, async (host) => {
      const report = await runJob(
        host,
        'gate.run',
        {
          model: values.model,
          candidate: values.candidate,
          baseline: values.baseline,
          // A file named on the command line is where the command runs, not in the workspace.
          gates: values.gates === undefined ? undefined : path.resolve(values.gates),
          labels: values.labels,
        },
        'gate',
      );
      if (values.report) await writeReleaseReport(host, values.report, report, values.labels);
      if (values.json) console.log(JSON.stringify(gateReportJson(report), null, 2));
      else printReport(report);
      return report.passed ? 0 : 1;
    });
  } catch (error) {
    console.error(`sift: gate: ${toErrorInfo(error).message.split('\n')[0]}`);
    return CANNOT_JUDGE;
  }
}

const fmt = (value: number | null) => (value === null ? '—' : String(Number(value.toFixed(4))));

function verdictOf(gate: GateResult): string {
  if (gate.status === 'not applicable') return 'n/a';
  if (gate.status === 'insufficient data') return gate.passed ? 'too few (optional)' : 'FAIL: too few';
  return gate.passed ? 'pass' : 'FAIL';
}

function printReport(report: GateReport): void {
  process.stdout.write(
    formatTable(
      ['category', 'gate', 'candidate', 'baseline', 'target', 'n', 'interval', 'verdict'],
      report.gates.map((gate) => [
        gate.category,
        gate.gate,
        fmt(gate.candidate),
        fmt(gate.baseline),
        fmt(gate.target),
        gate.n,
        gate.interval ? `[${fmt(gate.interval[0])}, ${fmt(gate.interval[1])}]` : '—',
        verdictOf(gate),
      ]),
    ),
  );
  for (const gate of report.gates)
    if (gate.reason && (!gate.passed || gate.status)) console.log(`${gate.category} ${gate.gate}: ${gate.reason}`);
  const against = report.baseline ? ` against ${report.baseline}` : ' (no baseline: comparing gates not applicable)';
  const failed = report.gates.filter((gate) => !gate.passed).length;
  const judged = report.baseline ? 'labelled items both scored' : 'labelled items it scored';
  console.log(
    `${report.model} ${report.candidate}${against}, judged on ${report.items} ${judged}: ${
      report.passed ? 'every gate passed' : `${failed} gate${failed === 1 ? '' : 's'} failed`
    }`,
  );
}
