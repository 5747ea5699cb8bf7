/**
 * The labeling commands of the `sift` command line (their flags and help are the tables in cliCommands.ts).
 * Scripts and pipelines depend on these forms:
 *
 *   sift session create --name NAME --pool SQL --model NAME[@VERSION] --strategy S --batch N [--seed S] [--json]
 *   sift session list [--json]
 *   sift session next --session ID --annotator NAME --json
 *   sift session retrain --session ID [--json]
 *   sift labels ingest --session ID --annotator NAME      NDJSON events on stdin → one {"event_id":…} line per durable event
 *   sift labels export --session ID [--format ndjson|csv|parquet|label-studio] [--annotator NAME] [--out FILE]
 *   sift labels import [--session ID] [--format pack|label-studio] FILE [--json]
 *   sift agreement [--session ID]… [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { z } from 'zod/v3';
import {
  type AgreementReport,
  type DatasetDiff,
  type DatasetVerification,
  type LabelAction,
  type LabelBatch,
  labelActionSchema,
  type PolicyMigration,
  type RetrainOutcome,
  type SessionSummary,
} from '../shared/contract.js';
import { SiftError, toErrorInfo } from '../shared/errors.js';
import { COMMANDS, parseCommand } from './cliCommands.js';
import { verifyDataset } from './host/datasets/datasetVerify.js';
import { Host } from './host/host.js';
import type { JobContext } from './host/jobs.js';
import { readAppState } from './host/workspace/appState.js';
import { SIFT_DIR } from './host/workspace/layout.js';
import { DATABASE_FILE, Workspace } from './host/workspace/workspace.js';

export interface CliTools {
  withHost<T>(workspaceFlag: string | undefined, work: (host: Host) => Promise<T>): Promise<T>;
  terminalJobContext(label: string): { ctx: JobContext; finish(): void };
  formatTable(columns: string[], rows: unknown[][]): string;
  usageError(message: string): Error;
}

export async function commandSession(args: string[], tools: CliTools): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create':
      return sessionCreate(rest, tools);
    case 'list':
      return sessionList(rest, tools);
    case 'next':
      return sessionNext(rest, tools);
    case 'retrain':
      return sessionRetrain(rest, tools);
    default:
      throw tools.usageError(`session: expected create, list, next or retrain${sub ? ` (got "${sub}")` : ''}.`);
  }
}

/** `sift policy migrate [--to vN] [--json]`: carries labels to a new policy version and queues the rest for relabeling. */
export async function commandPolicy(args: string[], tools: CliTools): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'migrate') throw tools.usageError(`policy: expected migrate${sub ? ` (got "${sub}")` : ''}.`);
  const { values } = parseCommand(COMMANDS['policy migrate'], rest);
  const input = Host.validate('policy.migrate', { to: values.to });
  return tools.withHost(values.workspace, async (host) => {
    const outcome = await host.dispatch('policy.migrate', input);
    if (!outcome.ok) throw new SiftError(outcome.error);
    const migration = outcome.value as PolicyMigration;
    if (values.json) console.log(JSON.stringify(migration, null, 2));
    else {
      console.log(
        `Carried ${migration.carried} label(s) from ${migration.from} to ${migration.to}${migration.alreadyCarried ? ` (${migration.alreadyCarried === migration.carried ? 'all' : migration.alreadyCarried} written by an earlier run)` : ''}${migration.carriedSession ? ` into session ${migration.carriedSession}` : ''}.`,
      );
      console.log(
        migration.relabel
          ? `${migration.relabel} item(s) to relabel under ${migration.to} in session ${migration.relabelSession}: ${migration.reasons.join('; ')}`
          : 'Nothing to relabel.',
      );
    }
    return 0;
  });
}

/** `sift agreement --session ID [--session ID]… [--json]`: agreement per category over the sessions' current labels. */
export async function commandAgreement(args: string[], tools: CliTools): Promise<number> {
  const { values } = parseCommand(COMMANDS.agreement, args);
  const input = Host.validate('labels.agreement', { sessions: values.session ?? [] });
  return tools.withHost(values.workspace, async (host) => {
    const outcome = await host.dispatch('labels.agreement', input);
    if (!outcome.ok) throw new SiftError(outcome.error);
    const report = outcome.value as AgreementReport;
    if (values.json) {
      // The second taxonomy level is reported beside the categories (under "leaves"), keeping "categories" as it was.
      const level = (which: 'category' | 'leaf') =>
        Object.fromEntries(
          report.categories
            .filter((c) => c.level === which)
            .map((c) => [
              c.category,
              {
                items: c.items,
                raters: c.raters,
                pairable_items: c.pairableItems,
                fleiss_kappa: c.fleissKappa,
                fleiss_raters: c.fleissRaters,
                fleiss_items: c.fleissItems,
                krippendorff_alpha: c.krippendorffAlpha,
                cohen_kappa: c.cohen.map((pair) => ({
                  a: pair.a,
                  b: pair.b,
                  items: pair.items,
                  kappa: pair.kappa,
                  ...(pair.reason ? { undefined: pair.reason } : {}),
                })),
                undefined: {
                  ...(c.fleissReason ? { fleiss_kappa: c.fleissReason } : {}),
                  ...(c.krippendorffReason ? { krippendorff_alpha: c.krippendorffReason } : {}),
                },
                below_floor: c.belowFloor,
                vs_adjudicated: c.vsAdjudicated,
              },
            ]),
        );
      console.log(
        JSON.stringify(
          { sessions: report.sessions, floor: report.floor, categories: level('category'), leaves: level('leaf') },
          null,
          2,
        ),
      );
      return 0;
    }
    const show = (value: number | null) => (value === null ? '—' : value.toFixed(3));
    process.stdout.write(
      tools.formatTable(
        ['category', 'items', 'raters', 'fleiss_kappa', 'krippendorff_alpha', 'note'],
        report.categories.map((c) => [
          c.category,
          c.items,
          c.raters,
          c.fleissKappa === null ? '—' : `${show(c.fleissKappa)} (${c.fleissItems} items × ${c.fleissRaters})`,
          show(c.krippendorffAlpha),
          [
            c.belowFloor ? `below ${report.floor}: check the policy's definition` : '',
            c.krippendorffReason ?? '',
            c.fleissReason && c.fleissReason !== c.krippendorffReason ? c.fleissReason : '',
          ]
            .filter(Boolean)
            .join('; '),
        ]),
      ),
    );
    const pairs = report.categories.flatMap((c) =>
      c.cohen.map((pair) => [
        c.category,
        `${pair.a} / ${pair.b}`,
        pair.items,
        pair.kappa === null ? `— (${pair.reason})` : pair.kappa.toFixed(3),
      ]),
    );
    if (pairs.length > 0)
      process.stdout.write(`\n${tools.formatTable(['category', 'annotators', 'items', 'cohen_kappa'], pairs)}`);
    return 0;
  });
}

/**
 * `sift dataset export --name NAME --out DIR [--session ID]… [--cut-date D] [--val-days N] [--format parquet|parquet,jsonl] [--json]`
 * prints the version folder it wrote; `sift dataset verify DIR` re-checks every checksum (exit 1 naming any file that differs).
 */
export async function commandDataset(args: string[], tools: CliTools): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'verify') {
    const { values, positionals } = parseCommand(COMMANDS['dataset verify'], rest);
    if (positionals.length !== 1) throw tools.usageError('dataset verify: name one DIR (a dataset version folder).');
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
    if (positionals.length !== 2) throw tools.usageError('dataset diff: name two version folders, DIR_A DIR_B.');
    return tools.withHost(values.workspace, async (host) => {
      const outcome = await host.dispatch('datasets.diff', {
        from: path.resolve(positionals[0]!),
        to: path.resolve(positionals[1]!),
      });
      if (!outcome.ok) throw new SiftError(outcome.error);
      const diff = outcome.value as DatasetDiff;
      if (values.json) console.log(JSON.stringify(diff, null, 2));
      else {
        console.log(
          `${diff.added} added, ${diff.removed} removed, ${diff.relabeled} relabeled, ${diff.moved} moved to another split`,
        );
        const rows = Object.entries(diff.perCategory)
          .filter(([, c]) => c.relabeled > 0)
          .map(([category, c]) => [category, c.relabeled, c.toPositive, c.toNegative]);
        if (rows.length > 0) process.stdout.write(tools.formatTable(['category', 'relabeled', 'to 1', 'to 0'], rows));
      }
      return 0;
    });
  }
  if (sub !== 'export')
    throw tools.usageError(`dataset: expected export, verify or diff${sub ? ` (got "${sub}")` : ''}.`);
  const { values } = parseCommand(COMMANDS['dataset export'], rest);
  if (!['parquet', 'parquet,jsonl', 'jsonl,parquet'].includes(values.format))
    throw tools.usageError('dataset export: --format is parquet or parquet,jsonl.');
  const input = Host.validate('datasets.export', {
    name: values.name,
    out: path.resolve(values.out),
    sessions: values.session ?? [],
    cutDate: values['cut-date'],
    valDays: integerFlag(values['val-days'], '--val-days', tools),
    formats: values.format.split(',') as ('parquet' | 'jsonl')[],
    policyVersion: values.policy,
    leaveOutOtherPolicies: values['leave-out-other-policies'],
  });
  return tools.withHost(values.workspace, async (host) => {
    const terminal = tools.terminalJobContext(`dataset ${input.name}`);
    let manifest;
    try {
      manifest = await host.exportDataset(input, terminal.ctx);
    } finally {
      terminal.finish();
    }
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
  const candidate = workspaceFlag
    ? path.resolve(workspaceFlag)
    : (enclosingWorkspace(dir) ?? readAppState().lastWorkspace);
  if (!candidate) return verifyDataset(null, dir, 'no workspace was named (--workspace) and none was used before');
  let workspace: Workspace;
  try {
    workspace = await Workspace.open(candidate);
  } catch (error) {
    return verifyDataset(
      null,
      dir,
      `the workspace ${candidate} could not be opened (${toErrorInfo(error).message.split('\n')[0]})`,
    );
  }
  try {
    return await verifyDataset(workspace, dir);
  } finally {
    await workspace.close();
  }
}

/** The nearest folder at or above `dir` that is a workspace (exports/datasets is where versions go by default). */
function enclosingWorkspace(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, DATABASE_FILE)) && fs.existsSync(path.join(at, SIFT_DIR))) return at;
    if (path.dirname(at) === at) return undefined;
  }
}

export async function commandLabels(args: string[], tools: CliTools): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'ingest':
      return labelsIngest(rest, tools);
    case 'import':
      return labelsImport(rest, tools);
    case 'export':
      return labelsExport(rest, tools);
    default:
      throw tools.usageError(`labels: expected ingest, import or export${sub ? ` (got "${sub}")` : ''}.`);
  }
}

function integerFlag(value: string | undefined, flag: string, tools: CliTools): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw tools.usageError(`${flag} is a whole number (got "${value}").`);
  return Number(value);
}

async function sessionCreate(args: string[], tools: CliTools): Promise<number> {
  const { values } = parseCommand(COMMANDS['session create'], args);
  const at = values.model.lastIndexOf('@');
  const model = at > 0 ? values.model.slice(0, at) : values.model;
  const version = at > 0 ? values.model.slice(at + 1) : undefined;
  const input = Host.validate('sessions.create', {
    name: values.name,
    pool: values.pool,
    model,
    version,
    strategy: values.strategy,
    batchSize: integerFlag(values.batch, '--batch', tools),
    overlap: integerFlag(values.overlap, '--overlap', tools),
    idleMinutes: values['idle-minutes'] === undefined ? undefined : Number(values['idle-minutes']),
    seed: integerFlag(values.seed, '--seed', tools),
    createdBy: values.annotator,
  });
  return tools.withHost(values.workspace, async (host) => {
    const terminal = tools.terminalJobContext(`session ${input.name}`);
    let session: SessionSummary;
    try {
      session = await (await host.labeling()).create(input, terminal.ctx);
    } finally {
      terminal.finish();
    }
    if (values.json) console.log(JSON.stringify(session, null, 2));
    else {
      console.log(
        `Created session ${session.id} "${session.name}": ${session.ranked} of ${session.poolSize} pool items ranked by ${session.strategy} with ${session.model} ${session.version}, batches of ${session.batchSize}, policy ${session.policyVersion}.`,
      );
      if (session.unscored > 0)
        console.log(
          `${session.unscored} items have no score from ${session.model} ${session.version}; they come last.`,
        );
      if (session.excluded > 0)
        console.log(`${session.excluded} items were left out by the ${session.strategy} strategy.`);
    }
    return 0;
  });
}

async function sessionList(args: string[], tools: CliTools): Promise<number> {
  const { values } = parseCommand(COMMANDS['session list'], args);
  return tools.withHost(values.workspace, async (host) => {
    const sessions = (await host.labeling()).list();
    if (values.json) console.log(JSON.stringify(sessions, null, 2));
    else if (sessions.length === 0)
      console.log(
        'No labeling sessions yet. Create one with: sift session create --name NAME --pool SQL --model NAME --strategy entropy --batch 20',
      );
    else
      process.stdout.write(
        tools.formatTable(
          ['id', 'name', 'model', 'strategy', 'batch', 'items', 'policy', 'created'],
          sessions.map((s) => [
            s.id,
            s.name,
            `${s.model}@${s.version}`,
            s.strategy,
            s.batchSize,
            s.ranked,
            s.policyVersion,
            s.createdAt,
          ]),
        ),
      );
    return 0;
  });
}

/** `sift session retrain --session ID [--json]`: the model in the loop, retrained on the labels so far; the session re-ranks by it. */
async function sessionRetrain(args: string[], tools: CliTools): Promise<number> {
  const { values } = parseCommand(COMMANDS['session retrain'], args);
  const input = Host.validate('sessions.retrain', { sessionId: values.session });
  return tools.withHost(values.workspace, async (host) => {
    const terminal = tools.terminalJobContext(`retrain ${input.sessionId}`);
    let outcome: RetrainOutcome;
    try {
      outcome = await (await host.labeling()).retrain(input.sessionId, terminal.ctx);
    } finally {
      terminal.finish();
    }
    if (values.json) console.log(JSON.stringify(outcome, null, 2));
    else
      console.log(
        `Retrained ${outcome.model} ${outcome.fromVersion} → ${outcome.version} on ${outcome.trainedOn} items (${outcome.humanLabeled} labeled by people); re-scored ${outcome.rescored}, session re-ranked ${outcome.ranked} items.`,
      );
    return 0;
  });
}

async function sessionNext(args: string[], tools: CliTools): Promise<number> {
  const { values } = parseCommand(COMMANDS['session next'], args);
  const input = Host.validate('sessions.next', { sessionId: values.session, annotator: values.annotator });
  return tools.withHost(values.workspace, async (host) => {
    const batch: LabelBatch = await (await host.labeling()).next(input.sessionId, input.annotator);
    if (values.json) console.log(JSON.stringify(batch, null, 2));
    else if (batch.finished) console.log(`Session ${batch.sessionId} has nothing left for ${batch.annotator}.`);
    else
      process.stdout.write(
        tools.formatTable(
          ['rank', 'content_id', 'status', 'text'],
          batch.items.map((item) => [
            item.rank,
            item.contentId,
            item.state?.status ?? 'open',
            (item.text ?? '').replace(/\s+/g, ' '),
          ]),
        ),
      );
    return 0;
  });
}

/** One NDJSON line of `labels ingest`: a label, or an item-level event, or an undo. */
const binary = z
  .union([z.literal(0), z.literal(1), z.literal('0'), z.literal('1'), z.boolean()])
  .transform((value) => (value === 1 || value === '1' || value === true ? 1 : 0) as 0 | 1);
const ingestLine = z.union([
  z
    .object({
      kind: z.literal('label').optional(),
      content_id: z.string().min(1),
      category: z.string().min(1),
      value: binary,
      leaf: z.string().min(1).nullable().optional(),
      note: z.string().max(4000).optional(),
    })
    .strict()
    .transform((line): LabelAction => ({
      kind: 'label',
      contentId: line.content_id,
      labels: [{ category: line.category, value: line.value, leaf: line.leaf ?? null }],
      ...(line.note ? { note: line.note } : {}),
    })),
  z
    .object({
      kind: z.literal('adjudicate'),
      content_id: z.string().min(1),
      category: z.string().min(1),
      value: binary,
      leaf: z.string().min(1).nullable().optional(),
      note: z.string().max(4000).optional(),
    })
    .strict()
    .transform((line): LabelAction => ({
      kind: 'adjudicate',
      contentId: line.content_id,
      labels: [{ category: line.category, value: line.value, leaf: line.leaf ?? null }],
      ...(line.note ? { note: line.note } : {}),
    })),
  z
    .object({ kind: z.literal('undo') })
    .strict()
    .transform((): LabelAction => ({ kind: 'undo' })),
  z
    .object({ kind: z.literal('skip'), content_id: z.string().min(1) })
    .strict()
    .transform((line): LabelAction => ({ kind: 'skip', contentId: line.content_id })),
  z
    .object({ kind: z.literal('unsure'), content_id: z.string().min(1), note: z.string().max(4000).optional() })
    .strict()
    .transform((line): LabelAction => ({
      kind: 'unsure',
      contentId: line.content_id,
      ...(line.note ? { note: line.note } : {}),
    })),
  z
    .object({ kind: z.literal('note'), content_id: z.string().min(1), note: z.string().min(1).max(4000) })
    .strict()
    .transform((line): LabelAction => ({ kind: 'note', contentId: line.content_id, note: line.note })),
]);

function parseIngestLine(text: string): LabelAction {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON (${(error as Error).message})`);
  }
  const parsed = ingestLine.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      'expected {"content_id", "category", "value": 0|1} (optionally "leaf", "note"), {"kind":"adjudicate", "content_id", "category", "value"}, {"kind":"skip"|"unsure","content_id"}, {"kind":"note","content_id","note"} or {"kind":"undo"}',
    );
  }
  return labelActionSchema.parse(parsed.data);
}

/**
 * Reads events as they arrive and records whatever has arrived together as one durable append (group commit);
 * each event's id is printed only after its append is on disk, so a reader of stdout never sees an event that a
 * crash could lose.
 */
async function labelsIngest(args: string[], tools: CliTools): Promise<number> {
  const { values } = parseCommand(COMMANDS['labels ingest'], args);
  const { sessionId, annotator } = Host.validate('sessions.get', {
    sessionId: values.session,
    annotator: values.annotator,
  });
  return tools.withHost(values.workspace, async (host) => {
    const labeling = await host.labeling();
    labeling.get(sessionId, annotator); // an unknown session fails before stdin is read
    let rejected = 0;
    let lineNumber = 0;
    let waiting: { line: number; action: LabelAction }[] = [];
    let wake: (() => void) | null = null;
    let ended = false;
    const input = readline.createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    input.on('line', (text) => {
      lineNumber++;
      if (text.trim() === '') return;
      try {
        waiting.push({ line: lineNumber, action: parseIngestLine(text) });
      } catch (error) {
        rejected++;
        process.stderr.write(`sift: stdin line ${lineNumber}: ${(error as Error).message}; skipped.\n`);
      }
      wake?.();
    });
    input.on('close', () => {
      ended = true;
      wake?.();
    });
    const emit = (outcomes: { eventIds: string[] }[]) => {
      const text = outcomes
        .flatMap((outcome) => outcome.eventIds.map((id) => `${JSON.stringify({ event_id: id })}\n`))
        .join('');
      if (text) process.stdout.write(text);
    };
    for (;;) {
      if (waiting.length === 0) {
        if (ended) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      const group = waiting;
      waiting = [];
      try {
        const outcomes = await labeling.recordMany(
          sessionId,
          annotator,
          group.map((entry) => entry.action),
        );
        emit(outcomes);
        outcomes.forEach((outcome, i) => {
          if (group[i]!.action.kind === 'undo' && outcome.undone === null)
            process.stderr.write(`sift: stdin line ${group[i]!.line}: nothing left to undo.\n`);
        });
      } catch {
        // One bad event in the group: record them one by one, so the others still count and the bad one is named.
        for (const entry of group) {
          try {
            emit(await labeling.recordMany(sessionId, annotator, [entry.action]));
          } catch (error) {
            rejected++;
            process.stderr.write(
              `sift: stdin line ${entry.line}: ${toErrorInfo(error).message.replace(/\.$/, '')}; skipped.\n`,
            );
          }
        }
      }
    }
    if (rejected > 0) process.stderr.write(`sift: ${rejected} line(s) rejected; every other event is saved.\n`);
    return rejected > 0 ? 1 : 0;
  });
}

/** `sift labels import [--session ID] [--format pack|label-studio] FILE [--json]`: a label pack or a Label Studio export. */
async function labelsImport(args: string[], tools: CliTools): Promise<number> {
  const { values, positionals } = parseCommand(COMMANDS['labels import'], args);
  if (positionals.length !== 1)
    throw tools.usageError(
      'labels import: give one FILE (a label pack, or --format label-studio and a Label Studio JSON export).',
    );
  const input = Host.validate('labels.import', {
    sessionId: values.session,
    path: path.resolve(positionals[0]!),
    format: values.format,
  });
  return tools.withHost(values.workspace, async (host) => {
    const labeling = await host.labeling();
    const outcome = await labeling.importFile(input.sessionId, input.path, input.format);
    if (values.json) console.log(JSON.stringify(outcome, null, 2));
    else
      console.log(
        `Imported ${outcome.imported} of ${outcome.events} events from ${outcome.source} into session ${outcome.sessionId} (${outcome.alreadyPresent} were there already; annotators: ${outcome.annotators.join(', ') || 'none new'})`,
      );
    return 0;
  });
}

async function labelsExport(args: string[], tools: CliTools): Promise<number> {
  const { values } = parseCommand(COMMANDS['labels export'], args);
  const format = values.format;
  if (!values.session && format !== 'label-studio')
    throw tools.usageError(
      'labels export: --session ID is required (only --format label-studio may cover every session).',
    );
  if (format === 'parquet' && !values.out) throw tools.usageError('labels export: --format parquet needs --out FILE.');
  const input = Host.validate('labels.export', {
    sessionId: values.session,
    format,
    path: values.out,
    annotator: values.annotator,
  });
  return tools.withHost(values.workspace, async (host) => {
    const labeling = await host.labeling();
    if (input.path) {
      const outcome = await labeling.exportEvents(input.sessionId, input.format, input.path, input.annotator);
      process.stderr.write(
        `Wrote ${outcome.events} ${input.format === 'label-studio' ? 'annotations' : 'events'}${input.sessionId ? ` of session ${input.sessionId}` : ''} to ${outcome.path}\n`,
      );
      return 0;
    }
    // No --out: the trail goes to stdout, for a pipe.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-labels-'));
    try {
      const outcome = await labeling.exportEvents(
        input.sessionId,
        input.format,
        path.join(scratch, `labels.${format === 'label-studio' ? 'json' : format}`),
        input.annotator,
      );
      await new Promise<void>((resolve, reject) =>
        fs.createReadStream(outcome.path).on('error', reject).on('end', resolve).pipe(process.stdout, { end: false }),
      );
      return 0;
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
}
