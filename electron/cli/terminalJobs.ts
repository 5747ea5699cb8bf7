/**
 * A command's long operation: started as the host's job through dispatch (the validation and caller access every
 * transport shares), followed to its end, its typed result returned. Progress goes to stderr only — stdout is what
 * scripts read: a live line on a terminal; on a pipe a line each time another tenth of the work is done ("eval: 40%",
 * up to "eval: 100%"). Ctrl+C cancels.
 */
import type { InputOf, JobMethodName, JobResultOf } from '../../shared/contract.js';
import { dispatchJob, type JobTransport, valueOf } from '../../shared/jobRuns.js';
import type { JobSummary } from '../../shared/jobs.js';

export async function runTerminalJob<M extends JobMethodName>(
  host: JobTransport,
  method: M,
  input: InputOf<M>,
  label: string,
): Promise<JobResultOf<M>> {
  const live = process.stderr.isTTY;
  let tenthsShown = 0;
  const onProgress = ({ progress, message }: JobSummary) => {
    if (live) {
      const percent = progress === null ? '' : `${Math.round(progress * 100)}%`;
      process.stderr.write(`\r${label}: ${message} ${percent}   `);
      return;
    }
    const tenths = progress === null ? 0 : Math.floor(progress * 10);
    if (tenths <= tenthsShown) return;
    tenthsShown = tenths;
    process.stderr.write(`${label}: ${tenths * 10}%\n`);
  };
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once('SIGINT', onSigint);
  try {
    const outcome = await dispatchJob(host, method, input, {
      onProgress,
      onLog: (message) => process.stderr.write(`${message}\n`),
      signal: interrupt.signal,
    });
    return valueOf(outcome);
  } finally {
    process.off('SIGINT', onSigint);
    if (live) process.stderr.write('\r\x1b[K');
  }
}
