/** The tables of the monitor commands (`sift monitor add|list|set|check|acknowledge|resolve|remove`, `sift alerts`). */
import { MONITOR_BUCKETS, MONITOR_DIRECTIONS, MONITOR_SOURCES } from '../../shared/monitors.js';
import { command, json, workspace } from './commandSpec.js';

const name = { type: 'string', required: true, value: 'N', description: "the monitor's name" } as const;
const threshold = {
  type: 'string',
  value: 'Z',
  description: 'the z-score that marks a bucket anomalous (default: 3)',
} as const;
const minCount = {
  type: 'string',
  value: 'K',
  description: 'the fewest rows a bucket needs to be marked (default: 5)',
} as const;
const every = {
  type: 'string',
  value: 'DURATION',
  description: 'how often the always-on services check it: 5s, 1m, 1h, 1d (default: 5m)',
} as const;
const webhook = {
  type: 'string',
  multiple: true,
  value: 'URL',
  description: 'POST each alert here as JSON with a Slack-compatible text (a secret: shown by host only)',
} as const;
const direction = {
  type: 'string',
  choices: MONITOR_DIRECTIONS,
  description: 'which way a bucket must move: up (default), down (a drop), both',
} as const;
const playbook = {
  type: 'string',
  value: 'FILE',
  description: 'a Markdown file: what an alert of this monitor means and what to do',
} as const;
const alert = {
  type: 'string',
  required: true,
  value: 'ID',
  description: "the alert's id (sift alerts shows it)",
} as const;
const by = { type: 'string', value: 'WHO', description: 'who does it (default: your OS user name)' } as const;
const note = { type: 'string', value: 'TEXT', description: 'a note kept with the alert' } as const;

export const MONITOR_COMMANDS = {
  'monitor add': command({
    name: 'monitor add',
    summary: 'a monitor: bucketed counts of a source checked by data time, alerts to webhooks',
    flags: {
      workspace,
      name,
      source: { type: 'string', required: true, choices: MONITOR_SOURCES, description: 'what is counted' },
      by: {
        type: 'string',
        required: true,
        value: 'DIMENSION',
        description:
          'one series per value: reports by reason|surface|language|total, actions by category|action|surface|language|total, content by language|content_type|surface|total',
      },
      bucket: { type: 'string', required: true, choices: MONITOR_BUCKETS, description: 'the time bucket' },
      threshold,
      'min-count': minCount,
      every,
      webhook,
      share: { type: 'boolean', description: "judge each value's share of the bucket's rows, not its count" },
      'auto-rate': {
        type: 'boolean',
        description:
          "actions only: judge the model's auto-action rate (the share of each series' actions with actor_type = model)",
      },
      direction,
      playbook,
      json,
    },
  }),
  'monitor list': command({
    name: 'monitor list',
    summary: "the monitors, each with its state (quiet, alerting, delivery failing) and its webhooks' hosts",
    flags: { workspace, json },
  }),
  'monitor set': command({
    name: 'monitor set',
    summary: 'change a monitor: its threshold, interval, direction, playbook, webhooks',
    flags: {
      workspace,
      name,
      threshold,
      'min-count': minCount,
      every,
      direction,
      playbook,
      webhook: { ...webhook, description: 'add a webhook' },
      'remove-webhook': {
        type: 'string',
        multiple: true,
        value: 'ID',
        description: 'remove a webhook by its id (monitor list --json shows them)',
      },
      json,
    },
  }),
  'monitor check': command({
    name: 'monitor check',
    summary: 'check now: judge every bucket new data touched since the last check, deliver new alerts',
    flags: {
      workspace,
      name: { type: 'string', value: 'N', description: 'one monitor (default: all)' },
      json,
    },
  }),
  'monitor acknowledge': command({
    name: 'monitor acknowledge',
    summary: 'acknowledge an alert: someone is on it',
    flags: { workspace, alert, by, note, json },
  }),
  'monitor resolve': command({
    name: 'monitor resolve',
    summary: 'resolve an alert: handled (a later anomalous bucket raises a new one)',
    flags: { workspace, alert, by, note, json },
  }),
  'monitor remove': command({
    name: 'monitor remove',
    summary: 'remove a monitor with its webhooks, alerts and delivery records',
    flags: { workspace, name },
  }),
  alerts: command({
    name: 'alerts',
    summary: 'the alerts monitors raised, newest first',
    flags: {
      workspace,
      monitor: { type: 'string', value: 'N', description: "only this monitor's alerts" },
      status: {
        type: 'string',
        choices: ['open', 'acknowledged', 'resolved'],
        description: 'only alerts in this status',
      },
      json: {
        type: 'boolean',
        description: 'print JSON: monitor, series, window_start, window_end, count, expected, z, status (and more)',
      },
    },
  }),
} as const;
