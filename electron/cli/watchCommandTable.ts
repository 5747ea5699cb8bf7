/** The tables of the folder-feed commands (`sift watch add|remove|list|run`), in the order `sift --help` lists them. */
import { command, json, workspace } from './commandSpec.js';

export const WATCH_COMMANDS = {
  'watch add': command({
    name: 'watch add',
    summary: "feed a table from a landing folder: each new file's rows are appended once, whole",
    positionals: 'DIR',
    flags: {
      workspace,
      table: { type: 'string', required: true, value: 'NAME', description: 'the table the files are appended to' },
      pattern: {
        type: 'string',
        value: 'GLOB',
        description: "the files' names to take, such as '*.csv' (default: by --format, else every file)",
      },
      format: {
        type: 'string',
        choices: ['csv', 'parquet', 'json'],
        description: "the files' format (default: each file's own)",
      },
      settle: {
        type: 'string',
        value: 'SECONDS',
        description: "how long a file's size must stay unchanged before it is read (default: 2)",
      },
      json,
    },
    notes:
      'Feeds run while the workspace is open in the app, in sift serve, or in sift watch run. A file identical to one already taken is not taken again; a file that cannot be read, or whose columns do not fit the table, is set aside with the reason (sift watch list).',
  }),
  'watch remove': command({
    name: 'watch remove',
    summary: 'stop feeding from a folder (the rows it brought stay)',
    positionals: 'DIR',
    flags: { workspace, json },
  }),
  'watch list': command({
    name: 'watch list',
    summary: 'the folder feeds, the files each took, skipped as duplicates, or set aside',
    flags: { workspace, json },
  }),
  'watch run': command({
    name: 'watch run',
    summary: 'run the feeds and monitors in the foreground until Ctrl+C (SIGINT) or SIGTERM',
    flags: { workspace },
  }),
};
