/**
 * Each annotator's shield settings and her exposure to revealed sensitive media, kept in Sift's store
 * (`annotator_wellness`, one row per annotator who changed a setting; `media_exposure`, one row per counted reveal
 * and UTC day). The rules — ranges, caps, the day, overlap — are shared/wellness.ts's; the sensitivity of an item
 * is shield.ts's, judged here again: the UI's word that an item was sensitive is not taken.
 */
import { SiftError } from '../../../shared/errors.js';
import type { AnnotatorWellness, ExposureDay, ExposureRecorded } from '../../../shared/contract/wellness.js';
import {
  breakDue,
  countedInterval,
  DEFAULT_WELLNESS_SETTINGS,
  msByDay,
  type RevealInterval,
  storedSettings,
  unionMs,
  utcDay,
  type WellnessSettings,
  type WellnessSettingsChange,
  wellnessSettingsSchema,
} from '../../../shared/wellness.js';
import type { HostServices } from '../services.js';
import type { Workspace } from '../workspace/workspace.js';
import { sensitivityOf } from './shield.js';

const WELLNESS_DDL = `
  CREATE TABLE IF NOT EXISTS annotator_wellness (
    annotator VARCHAR PRIMARY KEY, settings VARCHAR NOT NULL, updated_at VARCHAR NOT NULL, updated_by VARCHAR NOT NULL);
  CREATE TABLE IF NOT EXISTS media_exposure (
    annotator VARCHAR NOT NULL, content_id VARCHAR NOT NULL, day VARCHAR NOT NULL,
    start_ms BIGINT NOT NULL, end_ms BIGINT NOT NULL, recorded_at VARCHAR NOT NULL)`;

/** One change at a time per workspace: each reads what the last one wrote. */
const writes = new WeakMap<Workspace, Promise<unknown>>();
function serially<T>(workspace: Workspace, run: () => Promise<T>): Promise<T> {
  const next = (writes.get(workspace) ?? Promise.resolve()).then(run, run);
  writes.set(
    workspace,
    next.catch(() => undefined),
  );
  return next;
}

async function readSettings(
  workspace: Workspace,
  annotator: string,
): Promise<{ settings: WellnessSettings; updatedAt: string | null; updatedBy: string | null }> {
  return workspace.withStore(async (conn) => {
    await conn.run(WELLNESS_DDL);
    const [row] = (
      await conn.runAndReadAll(
        'SELECT settings, updated_at, updated_by FROM annotator_wellness WHERE annotator = $annotator',
        { annotator },
      )
    ).getRowsJson();
    if (!row) return { settings: { ...DEFAULT_WELLNESS_SETTINGS }, updatedAt: null, updatedBy: null };
    let raw: unknown = null;
    try {
      raw = JSON.parse(String(row[0]));
    } catch {
      // a damaged row: the defaults, field by field
    }
    return { settings: storedSettings(raw), updatedAt: String(row[1]), updatedBy: String(row[2]) };
  });
}

/** The ms of exposure on `day` for the annotator: the union of her counted reveals that day. */
async function exposureOn(workspace: Workspace, annotator: string, day: string): Promise<number> {
  const rows = await workspace.withStore(async (conn) => {
    await conn.run(WELLNESS_DDL);
    return (
      await conn.runAndReadAll(
        'SELECT start_ms, end_ms FROM media_exposure WHERE annotator = $annotator AND day = $day',
        {
          annotator,
          day,
        },
      )
    ).getRowsJson();
  });
  return unionMs(rows.map(([start, end]) => ({ start: Number(start), end: Number(end) })));
}

export async function readWellness(
  workspace: Workspace,
  annotator: string,
  nowMs = Date.now(),
): Promise<AnnotatorWellness> {
  const kept = await readSettings(workspace, annotator);
  const exposureTodayMs = await exposureOn(workspace, annotator, utcDay(nowMs));
  return { annotator, ...kept, exposureTodayMs, breakDue: breakDue(kept.settings, exposureTodayMs) };
}

/** Applies the change (each field validated again, as the store will keep it) and returns what is kept. */
export function changeWellness(
  workspace: Workspace,
  annotator: string,
  change: WellnessSettingsChange,
  by: string,
): Promise<AnnotatorWellness> {
  return serially(workspace, async () => {
    const { settings } = await readSettings(workspace, annotator);
    const parsed = wellnessSettingsSchema.safeParse({ ...settings, ...change });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SiftError({ code: 'BAD_REQUEST', message: `wellness.set: ${issue.path.join('.')}: ${issue.message}` });
    }
    await workspace.withStore(async (conn) => {
      await conn.run(WELLNESS_DDL);
      await conn.run('INSERT OR REPLACE INTO annotator_wellness VALUES ($annotator, $settings, $at, $by)', {
        annotator,
        settings: JSON.stringify(parsed.data),
        at: new Date().toISOString(),
        by,
      });
    });
    return readWellness(workspace, annotator);
  });
}

/**
 * Counts the reported reveals that are exposure: sensitive items only (judged here), each interval checked and
 * capped (shared/wellness.ts countedInterval), split at UTC midnight. Overlap (two windows, a retried report) is
 * kept as reported and counted once when read (unionMs).
 */
export async function recordExposure(
  host: HostServices,
  annotator: string,
  intervals: readonly RevealInterval[],
  nowMs = Date.now(),
): Promise<ExposureRecorded> {
  const facts = await sensitivityOf(
    host,
    intervals.map((interval) => interval.contentId),
  );
  const refused: ExposureRecorded['refused'] = [];
  const rows: { contentId: string; day: string; start: number; end: number }[] = [];
  for (const interval of intervals) {
    if (!facts.get(interval.contentId)?.sensitive) {
      refused.push({ contentId: interval.contentId, reason: 'not sensitive: revealing it is not exposure' });
      continue;
    }
    const counted = countedInterval(interval, nowMs);
    if (typeof counted === 'string') {
      refused.push({ contentId: interval.contentId, reason: counted });
      continue;
    }
    let from = counted.start;
    for (const [day, ms] of msByDay(counted.start, counted.end)) {
      rows.push({ contentId: interval.contentId, day, start: from, end: from + ms });
      from += ms;
    }
  }
  const workspace = host.workspace;
  await serially(workspace, () =>
    workspace.withStore(async (conn) => {
      await conn.run(WELLNESS_DDL);
      if (rows.length === 0) return;
      const at = new Date(nowMs).toISOString();
      await conn.run('BEGIN TRANSACTION');
      try {
        for (const row of rows)
          await conn.run('INSERT INTO media_exposure VALUES ($annotator, $contentId, $day, $start, $end, $at)', {
            annotator,
            contentId: row.contentId,
            day: row.day,
            start: row.start,
            end: row.end,
            at,
          });
        await conn.run('COMMIT');
      } catch (error) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }),
  );
  const now = await readWellness(workspace, annotator, nowMs);
  return {
    counted: intervals.length - refused.length,
    refused,
    exposureTodayMs: now.exposureTodayMs,
    breakDue: now.breakDue,
  };
}

/** Exposure per annotator per UTC day over the last `days` days (today included), latest day first. */
export async function listExposure(
  workspace: Workspace,
  days: number,
  annotator: string | undefined,
  nowMs = Date.now(),
): Promise<ExposureDay[]> {
  const since = utcDay(nowMs - (days - 1) * 86_400_000);
  const rows = await workspace.withStore(async (conn) => {
    await conn.run(WELLNESS_DDL);
    return (
      await conn.runAndReadAll(
        `SELECT e.annotator, e.day, e.content_id, e.start_ms, e.end_ms, w.settings
         FROM media_exposure e LEFT JOIN annotator_wellness w USING (annotator)
         WHERE e.day >= $since ${annotator === undefined ? '' : 'AND e.annotator = $annotator'}
         ORDER BY e.day DESC, e.annotator`,
        annotator === undefined ? { since } : { since, annotator },
      )
    ).getRowsJson();
  });
  const groups = new Map<
    string,
    { annotator: string; day: string; spans: { start: number; end: number }[]; items: Set<string>; settings: unknown }
  >();
  for (const [who, day, contentId, start, end, settings] of rows) {
    const key = `${String(day)}\u0000${String(who)}`;
    let group = groups.get(key);
    if (!group) {
      group = { annotator: String(who), day: String(day), spans: [], items: new Set(), settings };
      groups.set(key, group);
    }
    group.spans.push({ start: Number(start), end: Number(end) });
    group.items.add(String(contentId));
  }
  return [...groups.values()].map((group) => {
    let parsed: unknown = null;
    try {
      parsed = group.settings === null ? null : JSON.parse(String(group.settings));
    } catch {
      // defaults
    }
    return {
      annotator: group.annotator,
      day: group.day,
      ms: unionMs(group.spans),
      items: group.items.size,
      breakAfterMinutes: storedSettings(parsed).breakAfterMinutes,
    };
  });
}
