/** `sift import FILE…` (each file an import.run job) and `sift tables` (tables.list). */
import path from 'node:path';
import type { ImportOutcome, InputOf } from '../../shared/contract.js';
import { SiftError } from '../../shared/errors.js';
import { createEmptyWorkspaceFolder, isNewOrEmptyFolder } from '../host/outsideWorkspace.js';
import { COMMANDS, parseCommand, UsageError } from './commands.js';
import { call, formatTable, runJob, withHost } from './hostCalls.js';
import { mappingFromFlags } from './mapping.js';

export async function commandImport(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(COMMANDS.import, args);
  if (positionals.length === 0) throw new UsageError('import: name at least one FILE.');
  const mapping = mappingFromFlags(
    { as: values.as, map: values.map, whenTaken: values['when-taken'] },
    positionals.length,
    (message) => new UsageError(message),
  );
  if (values['media-column'] !== undefined && positionals.length > 1)
    throw new UsageError("import: --media-column reads paths relative to one FILE's folder, so give one FILE with it.");
  if (values.table && positionals.length > 1)
    throw new UsageError('import: --table names one table, so give one FILE with it.');
  if (values.workspace && isNewOrEmptyFolder(path.resolve(values.workspace))) {
    // Your own data into a new folder: the workspace is made for it (and said, so a typo in the path is noticed).
    const created = await createEmptyWorkspaceFolder(values.workspace);
    process.stderr.write(`sift: created an empty workspace in ${created}\n`);
  }
  return withHost(values.workspace, async (host) => {
    for (const file of positionals) {
      try {
        // The same contract check IPC and HTTP apply: a table name like "label_events " or "sift.imports" is refused here too.
        const outcome = await runJob(
          host,
          'import.run',
          {
            path: file,
            table: values.table,
            link: values.link,
            replace: values.replace,
            encoding: values.encoding as InputOf<'import.run'>['encoding'], // checked by the contract
            skipBadRows: values['skip-bad-rows'],
            mapping,
            mediaColumn: values['media-column'],
          },
          path.basename(file),
        );
        printImported(file, outcome);
      } catch (error) {
        // The host names the choice in words the app's dialog shows; on the command line it is a flag.
        if (error instanceof SiftError && error.info.code === 'IMPORT_TABLE_EXISTS') {
          throw new SiftError({
            ...error.info,
            message: `${error.info.message.replace(/\.$/, '')} (--table NAME${error.info.message.includes('replace') ? ' or --replace' : ''}).`,
          });
        }
        if (error instanceof SiftError && error.info.message.startsWith('whenTaken: ')) {
          throw new SiftError({
            ...error.info,
            message: `${error.info.message.replace(/^whenTaken: /, '').replace(/\.$/, '')} (--when-taken replace|append).`,
          });
        }
        throw error;
      }
    }
    return 0;
  });
}

function printImported(file: string, outcome: ImportOutcome): void {
  const setAside = outcome.rejected
    ? `; ${outcome.rejected} bad rows set aside in ${outcome.rejectsTable} (line, raw, reason)`
    : outcome.rejected === 0
      ? '; no bad rows'
      : '';
  console.log(
    `Imported ${outcome.rows} rows from ${file} into ${outcome.table}${outcome.linked ? ' (linked)' : ''} in ${(outcome.elapsedMs / 1000).toFixed(2)} s${setAside}`,
  );
  if (outcome.mapping) {
    const mapped = Object.entries(outcome.mapping.columns)
      .filter(([, from]) => from !== null)
      .map(([to, from]) => `${to}=${from}`)
      .join(', ');
    const how =
      outcome.mapping.appendedRows !== undefined
        ? `appended ${outcome.mapping.appendedRows} rows to the table`
        : `mapped as the view`;
    console.log(
      `${outcome.table} ${how} ${outcome.mapping.canonicalTable} (${mapped})${outcome.mapping.backupTable ? `; the old ${outcome.mapping.canonicalTable} table is kept as ${outcome.mapping.backupTable}` : ''}`,
    );
  }
  if (outcome.media)
    console.log(
      `Registered ${outcome.media.files} media files for ${outcome.media.items} items (copied into the workspace)`,
    );
  if (outcome.canonicalViews)
    console.log(
      `The Discourse tables are complete: added the view(s) ${outcome.canonicalViews.join(', ')} over them (flags as reports, reviewable resolutions as moderation actions).`,
    );
}

export async function commandTables(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.tables, args);
  return withHost(values.workspace, async (host) => {
    const tables = await call(host, 'tables.list', {});
    if (values.json) {
      console.log(JSON.stringify(tables, null, 2));
    } else {
      process.stdout.write(
        formatTable(
          ['table', 'kind', 'rows', 'columns', 'notes'],
          tables.map((t) => [
            t.name,
            t.kind,
            t.rowCount,
            t.columns.length,
            [t.protected ? 'protected' : '', t.source?.linked ? 'linked' : '', t.mappedTo ? `→ ${t.mappedTo}` : '']
              .filter(Boolean)
              .join(', '),
          ]),
        ),
      );
    }
    return 0;
  });
}
