/** The query part of the contract (shared/contract/query.ts): SQL runs, pages, charts, history and exports. */
import path from 'node:path';
import type { queryMethods } from '../../../shared/contract/query.js';
import { toErrorInfo } from '../../../shared/errors.js';
import type { Handlers, HostServices } from '../services.js';
import { defaultExportName, exportJsonArray, exportRelation } from './exporter.js';
import { chartStoredResult } from './resultChart.js';
import { queryHistory, readEditorTabs, recordQuery, saveEditorTabs } from './sqlClientState.js';

export function queryHandlers(host: HostServices): Handlers<keyof typeof queryMethods> {
  return {
    'query.run': async ({ remember, allowWrites, everyStatement, ...input }) => {
      const started = performance.now();
      try {
        const outcome = await host.queries.run(input, allowWrites ?? host.workspace.readSettings().allowWrites, {
          everyStatement,
        });
        if (remember)
          await recordQuery(host.workspace, {
            sql: input.sql,
            elapsedMs: outcome.elapsedMs,
            rows: outcome.resultId ? outcome.rowCount : null,
            error: null,
          });
        return outcome;
      } catch (error) {
        if (remember)
          await recordQuery(host.workspace, {
            sql: input.sql,
            elapsedMs: performance.now() - started,
            rows: null,
            error: toErrorInfo(error).message.split('\n')[0]!,
          }).catch(() => undefined);
        throw error;
      }
    },
    'query.chart': async ({ resultId, spec }) =>
      chartStoredResult(host.workspace, await host.queries.resultTable(resultId), spec),
    'query.history': (input) => queryHistory(host.workspace, input),
    'editor.tabs': async () => readEditorTabs(host.workspace),
    'editor.saveTabs': async (state) => saveEditorTabs(host.workspace, state),
    'query.page': (input) => host.queries.page(input),
    'query.explain': ({ allowWrites, ...input }) =>
      host.queries.explain(input, allowWrites ?? host.workspace.readSettings().allowWrites),
    'query.cancel': async ({ queryId }) => ({ cancelled: host.queries.cancel(queryId) }),
    'query.close': async ({ resultId }) => ({ closed: await host.queries.close(resultId) }),
    'query.exportScript': async ({ resultIds, path: target }) => {
      // An unknown result fails the call, not the job.
      const stored = Promise.all(resultIds.map((id) => (id === null ? null : host.queries.resultTable(id))));
      stored.catch(() => undefined); // the job reports a read that failed
      const { workspace } = host;
      const destination = workspace.checkExportTarget(target, 'path');
      const job = host.jobs.start('query.exportScript', `Export ${path.basename(destination)}`, async (ctx) => {
        const tables = await stored;
        const relations = tables.map((table) => (table ? `SELECT * FROM ${table.table}` : null));
        return exportJsonArray(workspace, relations, destination, ctx);
      });
      return { jobId: job.id };
    },
    'query.export': async ({ resultId, format, path: target }) => {
      const stored = host.queries.resultTable(resultId); // an unknown result fails the call, not the job
      stored.catch(() => undefined); // the job reports a read that failed
      const { workspace } = host;
      const destination = workspace.checkExportTarget(
        target ?? path.join(workspace.exportsDir(), defaultExportName(format)),
        'path',
      );
      const job = host.jobs.start('query.export', `Export ${path.basename(destination)}`, (ctx) =>
        stored.then(({ table }) => exportRelation(workspace, `SELECT * FROM ${table}`, format, destination, ctx)),
      );
      return { jobId: job.id };
    },
  };
}
