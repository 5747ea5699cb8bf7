/**
 * `sift dataset export|verify|diff`: a versioned training set through the host's datasets.export job,
 * datasets.verify and datasets.diff (flags and help in labelingCommandTable.ts).
 */
import path from 'node:path';
import type { DatasetVerification } from '../../shared/contract.js';
import { toErrorInfo } from '../../shared/errors.js';
import { Host } from '../host/host.js';
import { enclosingWorkspace, lastWorkspace, verifyDatasetFiles } from '../host/outsideWorkspace.js';
import { COMMANDS, integerFlag, parseCommand, UsageError } from './commands.js';
import { call, formatTable, reachWorkspace, runJob, withHost } from './hostCalls.js';

/**
 * `sift dataset export --name NAME --out DIR [--session ID]… [--cut-date D] [--val-days N] [--format parquet|parquet,jsonl] [--json]`
 * prints the version folder it wrote; `sift dataset verify DIR` re-checks every checksum (exit 1 naming any file that differs).
 */
export async function commandDataset(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'verify') {
    const { values, positionals } = parseCommand(COMMANDS['dataset verify'], rest);
    if (positionals.length !== 1) throw new UsageError('dataset verify: name one DIR (a dataset version folder).');
    const dir = path.resolve(positionals[0]!);
    const result = await verifyWithWorkspace(dir, values.workspace);
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else if (result.ok)
      console.log(
        `${result.dir}: all ${result.files} files match the manifest${result.scope === 'record' ? ', and the manifest and card are the ones Sift wrote' : ''}.${result.note ? `\n${result.note}` : ''}`,
      );
    else for (const problem of result.problems) process.stderr.write(`sift: ${result.dir}: ${problem}\n`);
    return result.ok ? 0 : 1;
  }
  if (sub === 'diff') {
    const { values, positionals } = parseCommand(COMMANDS['dataset diff'], rest);
    if (positionals.length !== 2) throw new UsageError('dataset diff: name two version folders, DIR_A DIR_B.');
    return withHost(values.workspace, async (host) => {
      const diff = await call(host, 'datasets.diff', {
        from: path.resolve(positionals[0]!),
        to: path.resolve(positionals[1]!),
      });
      if (values.json) console.log(JSON.stringify(diff, null, 2));
      else {
        console.log(
          `${diff.added} added, ${diff.removed} removed, ${diff.relabeled} relabeled, ${diff.moved} moved to another split`,
        );
        const rows = Object.entries(diff.perCategory)
          .filter(([, c]) => c.relabeled > 0)
          .map(([category, c]) => [category, c.relabeled, c.toPositive, c.toNegative]);
        if (rows.length > 0) process.stdout.write(formatTable(['category', 'relabeled', 'to 1', 'to 0'], rows));
      }
      return 0;
    });
  }
  if (sub !== 'export')
    throw new UsageError(`dataset: expected export, verify or diff${sub ? ` (got "${sub}")` : ''}.`);
  const { values } = parseCommand(COMMANDS['dataset export'], rest);
  if (!['parquet', 'parquet,jsonl', 'jsonl,parquet'].includes(values.format))
    throw new UsageError('dataset export: --format is parquet or parquet,jsonl.');
  const input = Host.validate('datasets.export', {
    name: values.name,
    out: path.resolve(values.out),
    sessions: values.session ?? [],
    cutDate: values['cut-date'],
    valDays: integerFlag(values['val-days'], '--val-days'),
    formats: values.format.split(',') as ('parquet' | 'jsonl')[],
    policyVersion: values.policy,
    leaveOutOtherPolicies: values['leave-out-other-policies'],
  });
  return withHost(values.workspace, async (host) => {
    const manifest = await runJob(host, 'datasets.export', input, `dataset ${input.name}`);
    if (values.json) console.log(JSON.stringify(manifest, null, 2));
    else
      console.log(
        `${manifest.dir}\n${manifest.name} v${manifest.version}: ${Object.entries(manifest.rows)
          .map(([split, n]) => `${split} ${n}`)
          .join(
            ', ',
          )} rows; policy ${manifest.policyVersion}; ${manifest.contestedItemsLeftOut} contested items left out.`,
      );
    return 0;
  });
}

/**
 * Verifies a version against the workspace that wrote it: --workspace, else the workspace the folder lies in, else
 * the one used last. Without one (or one that cannot be opened), only the files against the manifest, said plainly.
 */
async function verifyWithWorkspace(dir: string, workspaceFlag: string | undefined): Promise<DatasetVerification> {
  const candidate = workspaceFlag ? path.resolve(workspaceFlag) : (enclosingWorkspace(dir) ?? lastWorkspace());
  if (!candidate) return verifyDatasetFiles(dir, 'no workspace was named (--workspace) and none was used before');
  let reached: Awaited<ReturnType<typeof reachWorkspace>>;
  try {
    reached = await reachWorkspace(candidate, { remember: false });
  } catch (error) {
    return verifyDatasetFiles(
      dir,
      `the workspace ${candidate} could not be opened (${toErrorInfo(error).message.split('\n')[0]})`,
    );
  }
  try {
    return await call(reached.host, 'datasets.verify', { dir });
  } finally {
    await reached.release();
  }
}
