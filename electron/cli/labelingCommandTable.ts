/** The tables of the labeling and dataset commands (session … policy), in the order `sift --help` lists them. */
import { STRATEGIES } from '../../shared/labeling.js';
import { command, json, workspace } from './commandSpec.js';

export const LABELING_COMMANDS = {
  'session create': command({
    name: 'session create',
    summary: 'a labeling session: a pool of items ranked by a strategy, served in batches',
    flags: {
      workspace,
      name: { type: 'string', required: true, value: 'NAME', description: "the session's name" },
      pool: { type: 'string', required: true, value: 'SQL', description: 'the items: SELECT content_id FROM ...' },
      model: {
        type: 'string',
        required: true,
        value: 'NAME[@VERSION]',
        description: 'the model whose scores rank the pool',
      },
      strategy: { type: 'string', required: true, choices: STRATEGIES, description: 'how items are ranked' },
      batch: { type: 'string', required: true, value: 'N', description: 'items per batch' },
      overlap: { type: 'string', value: 'K', description: 'annotators per item (default: 1)' },
      'idle-minutes': {
        type: 'string',
        value: 'M',
        description: "minutes before an idle annotator's unlabeled items go to whoever asks next (default: 15)",
      },
      seed: { type: 'string', value: 'S', description: 'the seed of the seeded draws (random, stratified)' },
      annotator: { type: 'string', value: 'NAME', description: 'who creates the session' },
      json,
    },
  }),
  'session list': command({
    name: 'session list',
    summary: 'the labeling sessions',
    flags: { workspace, json },
  }),
  'session retrain': command({
    name: 'session retrain',
    summary:
      "retrain the session's model on the labels so far; the session re-ranks by it (a killed retrain leaves the previous version in use)",
    flags: { workspace, session: { type: 'string', required: true, value: 'ID', description: 'the session' }, json },
  }),
  'session next': command({
    name: 'session next',
    summary: "the annotator's open batch, or the next one",
    flags: {
      workspace,
      session: { type: 'string', required: true, value: 'ID', description: 'the session' },
      annotator: { type: 'string', required: true, value: 'NAME', description: 'the annotator' },
      json,
    },
  }),
  'labels ingest': command({
    name: 'labels ingest',
    summary: 'NDJSON label events on stdin; prints {"event_id":…} per event once it is on disk',
    flags: {
      workspace,
      session: { type: 'string', required: true, value: 'ID', description: 'the session' },
      annotator: { type: 'string', required: true, value: 'NAME', description: 'the annotator' },
    },
    notes: `One event per line: {"content_id":"c1","category":"spam","value":1} (optionally "leaf", "note"),
{"kind":"adjudicate","content_id","category","value"}, {"kind":"skip"|"unsure","content_id"},
{"kind":"note","content_id","note"} or {"kind":"undo"}. A bad line is named on stderr and skipped (exit code 1).`,
  }),
  'labels export': command({
    name: 'labels export',
    summary: "a session's audit trail (stdout without --out); one annotator's is their label pack",
    flags: {
      workspace,
      session: {
        type: 'string',
        value: 'ID',
        description: 'the session (required unless --format label-studio, which may cover every session)',
      },
      format: {
        type: 'string',
        default: 'ndjson',
        choices: ['ndjson', 'csv', 'parquet', 'label-studio'],
        description: 'the output format (parquet needs --out)',
      },
      annotator: { type: 'string', value: 'NAME', description: "only this annotator's events" },
      out: { type: 'string', value: 'FILE', description: 'write to FILE instead of stdout' },
    },
  }),
  'labels import': command({
    name: 'labels import',
    summary: 'a label pack or a Label Studio JSON export (a new session when none is named); twice adds nothing',
    positionals: 'FILE',
    flags: {
      workspace,
      session: { type: 'string', value: 'ID', description: 'the session to import into' },
      format: { type: 'string', default: 'pack', choices: ['pack', 'label-studio'], description: "the file's format" },
      json,
    },
  }),
  agreement: command({
    name: 'agreement',
    summary: "agreement per category: Fleiss' kappa, Krippendorff's alpha, Cohen's kappa per pair",
    flags: {
      workspace,
      session: {
        type: 'string',
        multiple: true,
        value: 'ID',
        description: 'a session to include (default: every session)',
      },
      json,
    },
  }),
  backtest: command({
    name: 'backtest',
    summary:
      "the session's recipe trained before a cut, judged after it, beside cross-validated before it (exit 2: cannot judge)",
    flags: {
      workspace,
      session: { type: 'string', required: true, value: 'ID', description: 'the session whose recipe is backtested' },
      cut: {
        type: 'string',
        required: true,
        value: 'DATE',
        description: 'train on content created before DATE, judge on labeled content at or after it (YYYY-MM-DD: UTC)',
      },
      json,
    },
  }),
  'dataset export': command({
    name: 'dataset export',
    summary: 'a new dataset version of the settled labels, split by time, with a manifest and a dataset card',
    flags: {
      workspace,
      name: { type: 'string', required: true, value: 'NAME', description: "the dataset's name" },
      out: {
        type: 'string',
        required: true,
        value: 'DIR',
        description: 'the folder that holds the versions (NAME/vN/ is created in it)',
      },
      session: {
        type: 'string',
        multiple: true,
        value: 'ID',
        description: 'a session whose labels are included (default: every session)',
      },
      'cut-date': {
        type: 'string',
        value: 'D',
        description:
          'train is before D, validation the --val-days after it, test the rest (default: the 70th and 85th percentiles of time)',
      },
      'val-days': { type: 'string', value: 'N', description: 'days of validation after --cut-date (default: 7)' },
      format: { type: 'string', default: 'parquet', value: 'parquet|parquet,jsonl', description: 'the files written' },
      policy: {
        type: 'string',
        value: 'vN',
        description: 'export the labels made under this policy version (default: the latest)',
      },
      'leave-out-other-policies': {
        type: 'boolean',
        description: 'leave out items labeled only under another policy version (otherwise they are refused by name)',
      },
      json,
    },
  }),
  'dataset verify': command({
    name: 'dataset verify',
    summary: "re-check a dataset version's checksums (exit 1 naming any file that differs)",
    positionals: 'DIR',
    flags: {
      workspace: {
        ...workspace,
        description:
          'the workspace that wrote it, whose record is checked too (default: the one the folder lies in, else the one used last)',
      },
      json,
    },
  }),
  'dataset diff': command({
    name: 'dataset diff',
    summary: 'items added, removed, relabeled, moved between two versions',
    positionals: 'DIR_A DIR_B',
    flags: { workspace, json },
  }),
  'policy migrate': command({
    name: 'policy migrate',
    summary: 'carry labels to a new policy version by its declared changes; the rest go to a relabel session',
    flags: {
      workspace,
      to: { type: 'string', value: 'vN', description: 'the policy version to migrate to (default: the newest)' },
      json,
    },
  }),
} as const;
