/**
 * Labels in and out of Sift as files: label packs (an annotator's events as NDJSON, the shape `labels export`
 * writes) and Label Studio's JSON task export, for teams moving over. Imported events keep their ids (a Label
 * Studio annotation gets ids derived from its task and annotation ids), so importing a file twice changes nothing.
 * A file is read whole and checked before anything is written; a bad line or task is named.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod/v3';
import { annotatorName } from '../../../shared/contract/labeling.js';
import { SiftError } from '../../../shared/errors.js';

const MAX_FILE_BYTES = 256 << 20;

/** One label event as a pack carries it (the label_events columns `labels export --format ndjson` writes). */
export const packEventSchema = z.object({
  event_id: z.string().min(1).max(200),
  action_id: z.string().min(1).max(200).nullable().optional(),
  annotator_id: annotatorName,
  content_id: z.string().min(1).max(1000),
  kind: z.enum(['label', 'adjudicate', 'skip', 'unsure', 'note', 'undo']),
  category: z.string().nullable().optional(),
  value: z.union([z.string(), z.number()]).nullable().optional(),
  leaf: z.string().nullable().optional(),
  note: z.string().max(10_000).nullable().optional(),
  undoes: z.string().nullable().optional(),
  policy_version: z.string().min(1),
  created_at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'created_at must be a date-time'),
});

/** `line`: where a pack's event is in its file (for messages), when it came from one. */
export type PackEvent = z.output<typeof packEventSchema> & { line?: number };

function readText(file: string): string {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new SiftError({ code: 'NOT_FOUND', message: `${file}: no such file.`, file });
  }
  if (size > MAX_FILE_BYTES)
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${file}: ${size} bytes is more than a label file may be (${MAX_FILE_BYTES}).`,
      file,
    });
  return fs.readFileSync(file, 'utf8');
}

/**
 * A label pack: one event per line, all by one annotator. A pack speaks for its annotator only: an event by anyone
 * else, or an adjudication (the workspace owner's decision, never an annotator's), refuses the whole file. Its order
 * is the order of its lines (imported events take their place in the journal in that order); the times it states are
 * kept as facts, never used to order.
 */
export function readPack(file: string): PackEvent[] {
  const events: PackEvent[] = [];
  let speaksFor: { annotator: string; line: number } | null = null;
  readText(file)
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new SiftError({ code: 'BAD_REQUEST', message: `${file} line ${index + 1}: not JSON.`, file });
      }
      const checked = packEventSchema.safeParse(parsed);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${file} line ${index + 1}: ${issue.path.join('.') || 'event'}: ${issue.message}.`,
          file,
        });
      }
      const event = checked.data;
      const where = `${file} line ${index + 1}`;
      if (event.kind === 'adjudicate') {
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${where}: an adjudication; a label pack speaks for one annotator's own labels, and settling a disagreement is the workspace owner's decision (made in Review), never imported.`,
          file,
        });
      }
      speaksFor ??= { annotator: event.annotator_id, line: index + 1 };
      if (event.annotator_id !== speaksFor.annotator) {
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${where}: an event by "${event.annotator_id}" in a pack of "${speaksFor.annotator}" (line ${speaksFor.line}); a label pack speaks for one annotator only (sift labels export --annotator NAME writes one).`,
          file,
        });
      }
      events.push({ ...event, line: index + 1 });
    });
  if (events.length === 0)
    throw new SiftError({ code: 'BAD_REQUEST', message: `${file}: no label events in it.`, file });
  return events;
}

/** A deterministic id: the same parts always make the same id, so importing or carrying twice adds nothing. */
export const stableId = (prefix: string, ...parts: (string | number)[]) =>
  `${prefix}-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24)}`;

const lsResult = z
  .object({
    from_name: z.string(),
    type: z.string().optional(),
    value: z.object({ choices: z.array(z.string()).optional() }).passthrough(),
  })
  .passthrough();
const lsAnnotation = z
  .object({
    id: z.union([z.number(), z.string()]),
    completed_by: z
      .union([
        z.number(),
        z.string(),
        z
          .object({ email: z.string().optional(), username: z.string().optional(), id: z.number().optional() })
          .passthrough(),
      ])
      .optional(),
    result: z.array(lsResult).default([]),
    was_cancelled: z.boolean().optional(),
    created_at: z.string().optional(),
  })
  .passthrough();
const lsTask = z
  .object({
    id: z.union([z.number(), z.string()]),
    data: z.record(z.string(), z.unknown()),
    annotations: z.array(lsAnnotation).default([]),
  })
  .passthrough();

const POSITIVE = new Set(['1', 'yes', 'true', 'y', 'positive']);
const NEGATIVE = new Set(['0', 'no', 'false', 'n', 'negative']);

/**
 * Label Studio's JSON export → label events. A `categories` (or `labels`) choices control lists the categories
 * that apply (the others are 0, as a multi-choice answer means); a control named after a category answers it
 * alone (yes/no); a control named `<category>_leaf` picks its leaf. A cancelled (skipped) annotation is a skip.
 */
export function labelStudioEvents(
  file: string,
  policy: { version: string; categories: { name: string; leaves: { name: string }[] }[] },
): PackEvent[] {
  let tasks: unknown;
  try {
    tasks = JSON.parse(readText(file));
  } catch (error) {
    if (error instanceof SiftError) throw error;
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${file}: not JSON (Label Studio exports a JSON array of tasks).`,
      file,
    });
  }
  if (!Array.isArray(tasks))
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `${file}: expected a JSON array of tasks (Label Studio's "JSON" export).`,
      file,
    });
  const names = policy.categories.map((category) => category.name);
  const events: PackEvent[] = [];
  tasks.forEach((raw, t) => {
    const where = `${file} task ${t + 1}`;
    const checked = lsTask.safeParse(raw);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${where}: ${issue.path.join('.')}: ${issue.message}.`,
        file,
      });
    }
    const task = checked.data;
    const contentId = task.data.content_id ?? task.data.contentId;
    if (typeof contentId !== 'string' && typeof contentId !== 'number') {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `${where}: data.content_id is missing; Sift matches Label Studio tasks to content by it (add it to the tasks' data).`,
        file,
      });
    }
    for (const annotation of task.annotations) {
      const by = annotation.completed_by;
      const annotator =
        typeof by === 'object' && by !== null
          ? (by.email ?? by.username ?? (by.id !== undefined ? `ls-user-${by.id}` : 'ls-unknown'))
          : by !== undefined
            ? typeof by === 'number'
              ? `ls-user-${by}`
              : by
            : 'ls-unknown';
      if (!annotatorName.safeParse(annotator).success)
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `${where} annotation ${annotation.id}: "${annotator}" cannot be an annotator name.`,
          file,
        });
      const createdAt =
        annotation.created_at && !Number.isNaN(Date.parse(annotation.created_at))
          ? new Date(annotation.created_at).toISOString()
          : new Date(0).toISOString();
      // Ids from what identifies the annotation (not the file's name): the same export imported twice is a no-op.
      const key = [task.id, annotation.id, String(contentId), annotator] as const;
      const actionId = stableId('ls-action', ...key);
      const base = {
        action_id: actionId,
        annotator_id: annotator,
        content_id: String(contentId),
        policy_version: policy.version,
        created_at: createdAt,
        leaf: null,
        note: null,
        undoes: null,
      };
      if (annotation.was_cancelled) {
        events.push({ ...base, event_id: stableId('ls', ...key, 'skip'), kind: 'skip', category: null, value: null });
        continue;
      }
      const values = new Map<string, { value: 0 | 1; leaf: string | null }>();
      for (const result of annotation.result) {
        const choices = result.value.choices ?? [];
        if (result.from_name === 'categories' || result.from_name === 'labels') {
          const unknown = choices.filter((choice) => !names.includes(choice));
          if (unknown.length)
            throw new SiftError({
              code: 'BAD_REQUEST',
              message: `${where} annotation ${annotation.id}: "${unknown[0]}" is not a category of policy ${policy.version} (${names.join(', ')}).`,
              file,
            });
          for (const name of names)
            if (!values.has(name)) values.set(name, { value: choices.includes(name) ? 1 : 0, leaf: null });
        } else if (names.includes(result.from_name)) {
          const answer = (choices[0] ?? '').toLowerCase();
          if (!POSITIVE.has(answer) && !NEGATIVE.has(answer))
            throw new SiftError({
              code: 'BAD_REQUEST',
              message: `${where} annotation ${annotation.id}: ${result.from_name} answered "${choices[0] ?? ''}"; expected yes or no.`,
              file,
            });
          values.set(result.from_name, {
            value: POSITIVE.has(answer) ? 1 : 0,
            leaf: values.get(result.from_name)?.leaf ?? null,
          });
        } else if (result.from_name.endsWith('_leaf') && names.includes(result.from_name.slice(0, -5))) {
          const category = result.from_name.slice(0, -5);
          const leaf = choices[0] ?? null;
          if (leaf && !policy.categories.find((c) => c.name === category)!.leaves.some((l) => l.name === leaf)) {
            throw new SiftError({
              code: 'BAD_REQUEST',
              message: `${where} annotation ${annotation.id}: "${leaf}" is not a leaf of ${category}.`,
              file,
            });
          }
          values.set(category, { value: 1, leaf });
        }
      }
      for (const [category, { value, leaf }] of values) {
        events.push({
          ...base,
          event_id: stableId('ls', ...key, category),
          kind: 'label',
          category,
          value: String(value),
          leaf,
        });
      }
    }
  });
  if (events.length === 0)
    throw new SiftError({ code: 'BAD_REQUEST', message: `${file}: no annotations in it to import.`, file });
  return events;
}

/** Current labels → Label Studio tasks: one task per item, one annotation per annotator, positive categories as choices. */
export function labelStudioTasks(
  labels: {
    contentId: string;
    text: string | null;
    annotator: string;
    category: string;
    value: string;
    leaf: string | null;
    createdAt: string;
  }[],
): unknown[] {
  const byItem = new Map<string, { text: string | null; byAnnotator: Map<string, typeof labels> }>();
  for (const label of labels) {
    const item = byItem.get(label.contentId) ?? { text: label.text, byAnnotator: new Map() };
    item.byAnnotator.set(label.annotator, [...(item.byAnnotator.get(label.annotator) ?? []), label]);
    byItem.set(label.contentId, item);
  }
  let annotationId = 0;
  return [...byItem.entries()].map(([contentId, item], index) => ({
    id: index + 1,
    data: { content_id: contentId, text: item.text ?? '' },
    annotations: [...item.byAnnotator.entries()].map(([annotator, own]) => ({
      id: ++annotationId,
      completed_by: { email: annotator },
      created_at: own
        .map((label) => label.createdAt)
        .sort()
        .at(-1),
      was_cancelled: false,
      result: [
        {
          from_name: 'categories',
          to_name: 'text',
          type: 'choices',
          value: { choices: own.filter((label) => label.value === '1').map((label) => label.category) },
        },
        ...own
          .filter((label) => label.leaf)
          .map((label) => ({
            from_name: `${label.category}_leaf`,
            to_name: 'text',
            type: 'choices',
            value: { choices: [label.leaf] },
          })),
      ],
    })),
  }));
}
