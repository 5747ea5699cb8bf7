/** The tables of the workspace, data and model commands (serve … sample), in the order `sift --help` lists them. */
import { DEFAULT_BINS } from '../../shared/calibration.js';
import { canonicalTable, requiredColumns } from '../../shared/canonical.js';
import { DEFAULT_MIN_COUNT, DEFAULT_THRESHOLD } from '../../shared/spikeStats.js';
import { SAMPLE_KINDS } from '../host/outsideWorkspace.js';
import { command, json, workspace } from './commandSpec.js';
import { MAPPING_TARGETS, WHEN_TAKEN } from './mapping.js';

export const WORKBENCH_COMMANDS = {
  serve: command({
    name: 'serve',
    summary:
      'the UI in your browser, on 127.0.0.1 (or a LAN address over HTTPS); SQL reads only the workspace and each --folder',
    flags: {
      workspace,
      port: { type: 'string', value: 'N', description: 'the port to listen on (default: a free one)' },
      host: {
        type: 'string',
        value: 'ADDR',
        description:
          'the address to listen on (default: 127.0.0.1); one other machines reach needs --tls-cert and --tls-key',
      },
      'tls-cert': {
        type: 'string',
        value: 'FILE',
        description: 'serve HTTPS with this PEM certificate (with --tls-key)',
      },
      'tls-key': { type: 'string', value: 'FILE', description: "the certificate's PEM private key, unencrypted" },
      'insecure-lan': {
        type: 'boolean',
        description: 'serve a LAN address over plain HTTP: the token and data cross the network readable',
      },
      'no-token': { type: 'boolean', description: 'serve without an access token (any local process can connect)' },
      open: { type: 'boolean', description: 'open the URL in the default browser' },
      folder: {
        type: 'string',
        multiple: true,
        value: 'DIR',
        description: 'a folder SQL and imports may read besides the workspace',
      },
    },
  }),
  init: command({
    name: 'init',
    summary: 'an empty workspace for your own data (a new or empty folder)',
    flags: {
      workspace: { ...workspace, required: true, description: 'the folder to create the workspace in (new or empty)' },
    },
  }),
  import: command({
    name: 'import',
    summary: 'import CSV/TSV, Parquet, JSON or NDJSON files as tables',
    positionals: 'FILE...',
    flags: {
      workspace: {
        ...workspace,
        description: 'the workspace (default: the one used last); a new or empty folder becomes a workspace',
      },
      table: {
        type: 'string',
        value: 'NAME',
        description: 'the table to create (one FILE only; default: from the file name)',
      },
      link: { type: 'boolean', description: 'keep a view over the file instead of copying its rows' },
      replace: { type: 'boolean', description: 'replace a table of the same name' },
      encoding: { type: 'string', choices: ['utf-8', 'utf-16', 'latin-1'], description: "the text files' encoding" },
      'skip-bad-rows': {
        type: 'boolean',
        description: 'set unreadable CSV rows aside in <table>__rejects instead of failing',
      },
      'media-column': {
        type: 'string',
        value: 'COLUMN',
        description:
          "the column of media file paths (relative to FILE's folder) to register with each item (one FILE only)",
      },
      as: {
        type: 'string',
        choices: MAPPING_TARGETS,
        description: 'map the FILE onto this canonical table as it is imported (one FILE only)',
      },
      map: {
        type: 'string',
        multiple: true,
        value: 'canonical=source,...',
        description: "with --as: which of the file's columns each canonical column reads",
      },
      'when-taken': {
        type: 'string',
        choices: WHEN_TAKEN,
        description:
          'with --as, when the canonical name is already a table: replace it (kept under a backup name) or append to it',
      },
    },
    notes: `With --as, the canonical table's key columns must be mapped and never NULL (${MAPPING_TARGETS.map((name) => `${name}: ${requiredColumns(canonicalTable(name)!).join(', ') || 'none'}`).join('; ')}); else nothing is imported.`,
  }),
  tables: command({
    name: 'tables',
    summary: "the workspace's tables and views",
    flags: { workspace, json },
  }),
  query: command({
    name: 'query',
    summary: 'run SQL (read-only unless --allow-writes) and print or write the result',
    notes: `A script (statements separated by ;) runs all or nothing and prints each statement's result in turn: the table
format with a heading per statement, csv as one block per statement that returns rows (separated by a blank
line), json as one array with an element per statement (null for one without rows, such as an INSERT). --out
takes a script's results only with --format json.`,
    exactlyOne: ['sql', 'file'],
    flags: {
      workspace,
      sql: { type: 'string', value: 'TEXT', description: 'the SQL to run' },
      file: {
        type: 'string',
        value: 'F',
        description: 'a .sql file to run (a report with a Data Explorer -- [params] block takes :name parameters)',
      },
      param: {
        type: 'string',
        multiple: true,
        value: 'NAME=VALUE',
        description: 'a parameter value: $name in plain SQL, :name in a report',
      },
      format: {
        type: 'string',
        default: 'table',
        choices: ['table', 'csv', 'json', 'parquet'],
        description: 'the output format (parquet needs --out)',
      },
      out: { type: 'string', value: 'FILE', description: 'write the result to FILE instead of stdout' },
      'allow-writes': { type: 'boolean', description: "let the SQL change the user's own tables (never Sift's)" },
      explain: { type: 'boolean', description: 'print the plan; nothing runs' },
    },
  }),
  models: command({
    name: 'models',
    summary: 'the registered models',
    flags: { workspace, json },
  }),
  score: command({
    name: 'score',
    summary: 'score content with a model, into model_scores',
    flags: {
      workspace,
      model: { type: 'string', required: true, value: 'NAME', description: 'the model to score with' },
      sql: {
        type: 'string',
        required: true,
        value: 'SQL',
        description: 'the items: SELECT content_id, text, ... (the columns the model reads)',
      },
      remote: { type: 'string', value: 'URL', description: 'score on a KServe v2 server instead of locally' },
      'remote-model': { type: 'string', value: 'N', description: "the remote server's model name" },
      'remote-token': {
        type: 'string',
        value: 'T',
        description: 'the remote bearer token (default: $SIFT_REMOTE_TOKEN)',
      },
      'remote-ca': {
        type: 'string',
        value: 'FILE',
        description: "a CA certificate to trust for the remote server's TLS",
      },
      binary: { type: 'string', choices: ['auto', 'always', 'never'], description: "KServe's binary tensor extension" },
      batch: { type: 'string', value: 'N', description: 'items per inference batch' },
      json,
    },
  }),
  eval: command({
    name: 'eval',
    summary: "a model's AP, ROC AUC, Brier score and calibration against the labels",
    flags: {
      workspace,
      model: { type: 'string', required: true, value: 'NAME', description: 'the model to evaluate' },
      version: {
        type: 'string',
        value: 'V',
        description: 'the model version (default: the registered one if it has scores, else the latest scored)',
      },
      labels: {
        type: 'string',
        value: 'SQL',
        description: 'the labels to evaluate against (default: current_labels, majority vote)',
      },
      bins: { type: 'string', default: String(DEFAULT_BINS), value: 'N', description: 'reliability bins, 2 to 100' },
      strategy: {
        type: 'string',
        default: 'uniform',
        choices: ['uniform', 'quantile'],
        description: 'how the reliability bins are cut',
      },
      json,
    },
  }),
  robustness: command({
    name: 'robustness',
    summary: "a model version's recall under each obfuscation transform, and its per-item latency p99",
    flags: {
      workspace,
      model: { type: 'string', required: true, value: 'NAME', description: 'the model to judge' },
      version: {
        type: 'string',
        value: 'V',
        description: 'the model version (default: the registered one); one whose runtime is not here is not applicable',
      },
      labels: {
        type: 'string',
        value: 'SQL',
        description: 'the labels whose positives are transformed (default: current_labels, majority vote)',
      },
      limit: { type: 'string', default: '10000', value: 'N', description: 'positives per category, at most' },
      'latency-sample': {
        type: 'string',
        default: '200',
        value: 'N',
        description: 'items timed one by one for the latency p99 (0: none)',
      },
      json,
    },
  }),
  drift: command({
    name: 'drift',
    summary:
      "a model version's score drift (PSI, share above 0.8) per category: week over week, or against a reference",
    flags: {
      workspace,
      model: { type: 'string', required: true, value: 'NAME', description: 'the model' },
      version: {
        type: 'string',
        value: 'V',
        description: 'the model version (default: the registered one if it has scores, else the latest scored)',
      },
      from: { type: 'string', value: 'TIME', description: 'only scores from this time (scored_at)' },
      to: { type: 'string', value: 'TIME', description: 'only scores before this time' },
      reference: { type: 'string', value: 'V', description: 'compare with this version (default: the same version)' },
      'reference-from': { type: 'string', value: 'TIME', description: "the reference's scores from this time" },
      'reference-to': { type: 'string', value: 'TIME', description: "the reference's scores before this time" },
      'same-items': {
        type: 'boolean',
        description: 'with --reference V: both versions on exactly the items both scored',
      },
      weekly: {
        type: 'boolean',
        description: 'each week against the week before (the default when no reference is given)',
      },
      weeks: { type: 'string', default: '26', value: 'N', description: 'with --weekly: the latest N weeks' },
      json,
    },
  }),
  gate: command({
    name: 'gate',
    summary:
      'judge a candidate model version against the gate file: exit 0 when every gate passes, 1 when one fails, 2 when it cannot judge',
    flags: {
      workspace,
      model: { type: 'string', required: true, value: 'NAME', description: 'the model' },
      candidate: { type: 'string', required: true, value: 'V', description: 'the version that would ship' },
      baseline: {
        type: 'string',
        value: 'V',
        description: 'the version to compare with (without one, the comparing gates are listed "not applicable")',
      },
      gates: {
        type: 'string',
        value: 'FILE',
        description: 'the gate file (default: policy/gates.json in the workspace)',
      },
      labels: {
        type: 'string',
        value: 'SQL',
        description: 'the labels to judge against (default: current_labels, majority vote)',
      },
      json,
      report: { type: 'string', value: 'DIR', description: 'also write the release report (HTML and JSON) into DIR' },
    },
  }),
  spike: command({
    name: 'spike',
    summary: 'the marked spike windows of reports or moderation actions over time',
    flags: {
      workspace,
      bucket: { type: 'string', default: 'hour', choices: ['15min', 'hour', 'day'], description: 'the time bucket' },
      source: { type: 'string', default: 'reports', choices: ['reports', 'actions'], description: 'what is counted' },
      by: {
        type: 'string',
        value: 'DIMENSION',
        description: 'one series per value of this column (default: reason for reports, category for actions)',
      },
      threshold: {
        type: 'string',
        default: String(DEFAULT_THRESHOLD),
        value: 'Z',
        description: 'the z-score that marks a window',
      },
      'min-count': {
        type: 'string',
        default: String(DEFAULT_MIN_COUNT),
        value: 'K',
        description: 'the fewest items a marked bucket holds',
      },
      json: { type: 'boolean', description: 'print the windows as JSON: start, end, series, z' },
    },
  }),
  sample: command({
    name: 'sample',
    summary: 'create a sample workspace',
    flags: {
      workspace: { ...workspace, required: true, description: 'the folder to create the sample workspace in' },
      kind: {
        type: 'string',
        default: 'platform',
        choices: SAMPLE_KINDS,
        description: 'a platform export or a Discourse-shaped forum',
      },
      from: { type: 'string', value: 'DIR', description: 'the sample files to load (default: the committed sample)' },
    },
  }),
} as const;
