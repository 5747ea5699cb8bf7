/**
 * Labels in and out of a workspace: a session's audit trail exported (NDJSON, CSV, Parquet, Label Studio JSON), and
 * a label pack or a Label Studio export imported, keeping its ids so a file imported twice changes nothing. The
 * file formats are labelInterchange.ts's; the checks every imported event passes are recording.ts's.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LabelExportOutcome, LabelImportOutcome } from '../../../shared/contract.js';
import { CURRENT_LABELS_SQL, LABEL_EVENT_COLUMNS } from '../../../shared/canonical.js';
import { SiftError } from '../../../shared/errors.js';
import type { JobContext } from '../jobs.js';
import { spreadsheetSafeSelect } from '../query/exporter.js';
import { quoteLiteral } from '../workspace/workspace.js';
import type { EventRecord } from './journalRecords.js';
import type { LabelingCore } from './labelingCore.js';
import { labelStudioEvents, labelStudioTasks, type PackEvent, readPack } from './labelInterchange.js';
import { readTexts } from './poolData.js';
import type { Recording } from './recording.js';
import type { Sessions } from './sessions.js';

export class ImportExport {
  constructor(
    private readonly core: LabelingCore,
    private readonly sessions: Sessions,
    private readonly recording: Recording,
  ) {}

  /** Writes the session's audit trail (every event, undos included) to a file: temporary name, then rename. */
  async exportEvents(
    sessionId: string | undefined,
    format: LabelExportOutcome['format'],
    target: string | undefined,
    annotator?: string,
  ): Promise<LabelExportOutcome> {
    const { workspace } = this.core;
    if (sessionId === undefined && format !== 'label-studio')
      throw new SiftError({ code: 'BAD_REQUEST', message: 'sessionId: name the session whose trail to export.' });
    if (sessionId !== undefined) this.core.state.session(sessionId);
    const extension = format === 'ndjson' ? 'ndjson' : format === 'label-studio' ? 'label-studio.json' : format;
    const who = annotator ? `-${annotator.replace(/[^\p{L}\p{N}_.-]+/gu, '_')}` : '';
    const resolved = workspace.checkExportTarget(
      target ?? path.join(workspace.exportsDir(), `labels-${sessionId ?? 'all'}${who}.${extension}`),
      'path',
    );
    const dir = path.dirname(resolved);
    if (!fs.existsSync(dir))
      throw new SiftError({
        code: 'NOT_FOUND',
        message: `Cannot export to ${resolved}: the folder ${dir} does not exist.`,
        file: resolved,
      });
    await this.core.store.sync();
    const partial = path.join(dir, `.${path.basename(resolved)}.${process.pid}-${randomUUID().slice(0, 8)}.partial`);
    const filter = [
      ...(sessionId !== undefined ? [`session_id = ${quoteLiteral(sessionId)}`] : []),
      ...(annotator ? [`annotator_id = ${quoteLiteral(annotator)}`] : []),
      'true',
    ].join(' AND ');
    try {
      let events: number;
      if (format === 'label-studio') {
        const rows = await workspace.withStore(async (conn) =>
          (
            await conn.runAndReadAll(
              `SELECT content_id, annotator_id, category, value, leaf, strftime(created_at, '%Y-%m-%dT%H:%M:%S') FROM (${CURRENT_LABELS_SQL}) WHERE ${filter} ORDER BY content_id, annotator_id, category`,
            )
          ).getRowsJson(),
        );
        const texts = await readTexts(workspace, [...new Set(rows.map((row) => String(row[0])))]);
        const tasks = labelStudioTasks(
          rows.map(([contentId, annotatorId, category, value, leaf, createdAt]) => ({
            contentId: String(contentId),
            text: texts.get(String(contentId)) ?? null,
            annotator: String(annotatorId),
            category: String(category),
            value: String(value),
            leaf: leaf === null ? null : String(leaf),
            createdAt: `${String(createdAt)}Z`,
          })),
        );
        fs.writeFileSync(partial, `${JSON.stringify(tasks, null, 1)}\n`);
        events = (tasks as { annotations: unknown[] }[]).reduce((sum, task) => sum + task.annotations.length, 0);
      } else {
        const options =
          format === 'csv'
            ? 'FORMAT csv, HEADER true'
            : format === 'parquet'
              ? "FORMAT parquet, COMPRESSION 'zstd'"
              : 'FORMAT json';
        events = await workspace.withStore(async (conn) => {
          const columns = LABEL_EVENT_COLUMNS.map(([name]) => name).join(', ');
          const events = `SELECT ${columns} FROM label_events WHERE ${filter} ORDER BY seq NULLS FIRST, created_at, event_id`;
          // CSV is for people (a spreadsheet): notes and ids that look like formulas are neutralised; Parquet and JSON keep them raw.
          const source = format === 'csv' ? await spreadsheetSafeSelect(conn, events) : events;
          const outcome = await conn.run(
            `COPY (${source}) TO ${quoteLiteral(partial)} (${options}, USE_TMP_FILE false)`,
          );
          return Number(outcome.rowsChanged);
        });
      }
      fs.renameSync(partial, resolved);
      return { path: resolved, format, events };
    } finally {
      fs.rmSync(partial, { force: true });
    }
  }

  /**
   * Reads a pack or a Label Studio export and imports it: into the session named, else into a new session over the
   * file's items (random order, the workspace's distilled text model), for a team arriving with its labels.
   */
  async importFile(
    sessionId: string | undefined,
    file: string,
    format: 'pack' | 'label-studio',
    ctx?: JobContext,
  ): Promise<LabelImportOutcome> {
    const { state, policy, registry } = this.core;
    const taxonomy = policy.get(sessionId ? state.session(sessionId).policy_version : policy.latestVersion());
    const events = format === 'pack' ? readPack(file) : labelStudioEvents(file, taxonomy);
    if (sessionId) return this.importEvents(sessionId, events, path.basename(file));
    const source = path.basename(file);
    const name = `Imported from ${source}`.slice(0, 200);
    const ids = [...new Set(events.map((event) => event.content_id))];
    const pool = `SELECT content_id FROM content WHERE content_id::VARCHAR IN (${ids.map(quoteLiteral).join(', ')})`;
    // The session an earlier import of this file made: importing again goes into it (adding nothing when that import
    // was whole), never into a second, empty one.
    const earlier = [...state.sessions.values()].find(
      (session) => session.name === name && session.pool === pool && session.policy_version === taxonomy.version,
    );
    if (earlier) return this.importEvents(earlier.id, events, source);
    const models = (await registry.list()).filter((model) => !model.error && model.kind === 'distilled_text');
    const model = models.find((m) => m.name === 'text-distil') ?? models[0];
    if (!model)
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: 'There is no text model to order a new session by; name a session to import into (--session ID).',
      });
    const { record, inPool } = await this.sessions.prepare(
      { name, pool, model: model.name, strategy: 'random', batchSize: 20 },
      ctx ?? { signal: new AbortController().signal, progress: () => undefined, log: () => undefined },
    );
    // The new session and its events are one append: a kill leaves both or neither.
    return this.core.writer.exclusive(async (commit) => {
      const records = this.recording.checkedEvents(record, inPool, events, source);
      await commit([record, ...records]);
      return importOutcome(record.id, source, events, records);
    });
  }

  /**
   * Imports label events made elsewhere (a label pack, a Label Studio export) into a session, keeping their ids and
   * annotators; events already in the journal are left alone, and one bad event refuses the whole file
   * (Recording.checkedEvents). Events take their places in the journal in the order given; the times they state
   * never order them.
   */
  importEvents(sessionId: string, events: PackEvent[], source: string): Promise<LabelImportOutcome> {
    return this.core.writer.exclusive(async (commit) => {
      const session = this.core.state.session(sessionId);
      const ranked = await this.core.rankings.of(sessionId);
      const records = this.recording.checkedEvents(session, ranked.index, events, source);
      if (records.length > 0) await commit(records);
      return importOutcome(sessionId, source, events, records);
    });
  }
}

function importOutcome(
  sessionId: string,
  source: string,
  events: PackEvent[],
  records: EventRecord[],
): LabelImportOutcome {
  return {
    sessionId,
    source,
    events: events.length,
    imported: records.length,
    alreadyPresent: events.length - records.length,
    annotators: [...new Set(records.map((record) => record.annotator_id))].sort(),
  };
}
