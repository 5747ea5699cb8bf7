/**
 * `sift gate --report DIR`: the release report page (shared/releaseReport.ts) and the run's JSON, the very object
 * `--json` prints, written into DIR by this process (it is the user's own output, wherever the engine runs). Each
 * file is written beside itself and renamed into place, so DIR never holds half a report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type GateReport, gateReportJson } from '../../shared/gates.js';
import { releaseReportHtml, reportEvaluations } from '../../shared/releaseReport.js';
import { UsageError } from './commands.js';
import { runJob, type WorkspaceHost } from './hostCalls.js';

export const REPORT_PAGE = 'report.html';
export const REPORT_JSON = 'report.json';

function writeWhole(file: string, text: string): void {
  const partial = `${file}.${process.pid}.partial`;
  try {
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, file);
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/** Refuses a DIR that cannot hold the report before any work is done (a file of that name, no right to write). */
export function checkReportDir(dir: string): string {
  const folder = path.resolve(dir);
  try {
    fs.mkdirSync(folder, { recursive: true });
    fs.accessSync(folder, fs.constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'a file, not a folder' : 'not writable';
    throw new UsageError(`--report ${dir} is ${reason}.`);
  }
  if (!fs.statSync(folder).isDirectory()) throw new UsageError(`--report ${dir} is a file, not a folder.`);
  return folder;
}

/**
 * Evaluates both versions for the page's curves and slices (as jobs, progress on stderr), then writes the page and
 * the JSON. Answers the two files' paths.
 */
export async function writeReleaseReport(
  host: WorkspaceHost,
  dir: string,
  report: GateReport,
  labels?: string,
): Promise<string[]> {
  const folder = checkReportDir(dir);
  const evaluations = await reportEvaluations(report, (input) => runJob(host, 'eval.run', input, 'report'), labels);
  const page = releaseReportHtml({ report, generatedAt: new Date().toISOString(), ...evaluations });
  const files = [path.join(folder, REPORT_JSON), path.join(folder, REPORT_PAGE)];
  writeWhole(files[0]!, `${JSON.stringify(gateReportJson(report), null, 2)}\n`);
  writeWhole(files[1]!, page);
  return files;
}
