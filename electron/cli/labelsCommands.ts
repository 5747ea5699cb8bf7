/**
 * The `labels` commands (flags and help in labelingCommandTable.ts). Scripts and pipelines depend on these forms:
 *
 *   sift labels ingest --session ID --annotator NAME      NDJSON events on stdin → one {"event_id":…} line per durable event
 *   sift labels export --session ID [--format ndjson|csv|parquet|label-studio] [--annotator NAME] [--out FILE]
 *   sift labels import [--session ID] [--format pack|label-studio] FILE [--json]
 *
 * Through the host's contract: sessions.get and labels.recordMany (ingest), labels.import, labels.export.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { z } from 'zod/v3';
import { type LabelAction, labelActionSchema, type RecordOutcome } from '../../shared/contract.js';
import { toErrorInfo } from '../../shared/errors.js';
import { Host } from '../host/host.js';
import { COMMANDS, parseCommand, UsageError } from './commands.js';
import { call, withHost } from './hostCalls.js';

export async function commandLabels(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'ingest':
      return labelsIngest(rest);
    case 'import':
      return labelsImport(rest);
    case 'export':
      return labelsExport(rest);
    default:
      throw new UsageError(`labels: expected ingest, import or export${sub ? ` (got "${sub}")` : ''}.`);
  }
}

/** One NDJSON line of `labels ingest`: a label, or an item-level event, or an undo. */
const binary = z
  .union([z.literal(0), z.literal(1), z.literal('0'), z.literal('1'), z.boolean()])
  .transform((value) => (value === 1 || value === '1' || value === true ? 1 : 0) as 0 | 1);

/** A line deciding one category of an item: a label (the default kind, so `kind` may be left out) or an adjudication. */
function categoryLine(kind: 'label' | 'adjudicate') {
  return z
    .object({
      kind: kind === 'label' ? z.literal('label').optional() : z.literal('adjudicate'),
      content_id: z.string().min(1),
      category: z.string().min(1),
      value: binary,
      leaf: z.string().min(1).nullable().optional(),
      note: z.string().max(4000).optional(),
    })
    .strict()
    .transform((line): LabelAction => ({
      kind,
      contentId: line.content_id,
      labels: [{ category: line.category, value: line.value, leaf: line.leaf ?? null }],
      ...(line.note ? { note: line.note } : {}),
    }));
}

const ingestLine = z.union([
  categoryLine('label'),
  categoryLine('adjudicate'),
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

/** The most events one durable append takes (the contract's bound on labels.recordMany). */
const MAX_GROUP = 10_000;

/**
 * Reads events as they arrive and records whatever has arrived together as one durable append (group commit);
 * each event's id is printed only after its append is on disk, so a reader of stdout never sees an event that a
 * crash could lose.
 */
async function labelsIngest(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['labels ingest'], args);
  const { sessionId, annotator } = Host.validate('sessions.get', {
    sessionId: values.session,
    annotator: values.annotator,
  });
  return withHost(values.workspace, async (host) => {
    await call(host, 'sessions.get', { sessionId, annotator }); // an unknown session fails before stdin is read
    const record = async (actions: LabelAction[]): Promise<RecordOutcome[]> => {
      const outcomes: RecordOutcome[] = [];
      for (let at = 0; at < actions.length; at += MAX_GROUP)
        outcomes.push(
          ...(await call(host, 'labels.recordMany', {
            sessionId,
            annotator,
            actions: actions.slice(at, at + MAX_GROUP),
          })),
        );
      return outcomes;
    };
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
        const outcomes = await record(group.map((entry) => entry.action));
        emit(outcomes);
        outcomes.forEach((outcome, i) => {
          if (group[i]!.action.kind === 'undo' && outcome.undone === null)
            process.stderr.write(`sift: stdin line ${group[i]!.line}: nothing left to undo.\n`);
        });
      } catch {
        // One bad event in the group: record them one by one, so the others still count and the bad one is named.
        for (const entry of group) {
          try {
            emit(await record([entry.action]));
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
async function labelsImport(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(COMMANDS['labels import'], args);
  if (positionals.length !== 1)
    throw new UsageError(
      'labels import: give one FILE (a label pack, or --format label-studio and a Label Studio JSON export).',
    );
  const input = Host.validate('labels.import', {
    sessionId: values.session,
    path: path.resolve(positionals[0]!),
    format: values.format,
  });
  return withHost(values.workspace, async (host) => {
    const outcome = await call(host, 'labels.import', input);
    if (values.json) console.log(JSON.stringify(outcome, null, 2));
    else
      console.log(
        `Imported ${outcome.imported} of ${outcome.events} events from ${outcome.source} into session ${outcome.sessionId} (${outcome.alreadyPresent} were there already; annotators: ${outcome.annotators.join(', ') || 'none new'})`,
      );
    return 0;
  });
}

async function labelsExport(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['labels export'], args);
  const format = values.format;
  if (!values.session && format !== 'label-studio')
    throw new UsageError(
      'labels export: --session ID is required (only --format label-studio may cover every session).',
    );
  if (format === 'parquet' && !values.out) throw new UsageError('labels export: --format parquet needs --out FILE.');
  const input = Host.validate('labels.export', {
    sessionId: values.session,
    format,
    path: values.out,
    annotator: values.annotator,
  });
  return withHost(values.workspace, async (host) => {
    if (input.path) {
      const outcome = await call(host, 'labels.export', input);
      process.stderr.write(
        `Wrote ${outcome.events} ${input.format === 'label-studio' ? 'annotations' : 'events'}${input.sessionId ? ` of session ${input.sessionId}` : ''} to ${outcome.path}\n`,
      );
      return 0;
    }
    // No --out: the trail goes to stdout, for a pipe.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-labels-'));
    try {
      const outcome = await call(host, 'labels.export', {
        ...input,
        path: path.join(scratch, `labels.${format === 'label-studio' ? 'json' : format}`),
      });
      await new Promise<void>((resolve, reject) =>
        fs.createReadStream(outcome.path).on('error', reject).on('end', resolve).pipe(process.stdout, { end: false }),
      );
      return 0;
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
}
