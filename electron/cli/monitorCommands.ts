/**
 * `sift monitor add|list|set|check|acknowledge|resolve|remove` and `sift alerts`: monitors and their alerts through
 * the host's contract (shared/contract/monitors.ts). A webhook URL goes in and never comes back out: lists show
 * its host only.
 */
import fs from 'node:fs';
import type { AlertInfo, InputOf, MonitorInfo } from '../../shared/contract.js';
import { alertFields } from '../../shared/alertNotice.js';
import { everyProblem, PLAYBOOK_MAX_CHARS } from '../../shared/monitors.js';
import { Host } from '../host/host.js';
import { COMMANDS, integerFlag, parseCommand, UsageError } from './commands.js';
import { call, formatTable, withHost } from './hostCalls.js';

type Change = InputOf<'monitors.update'>;

function numberFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0)
    throw new UsageError(`${flag} is a positive number (got "${value}").`);
  return number;
}

function everyFlag(value: string | undefined, command: string): string | undefined {
  const problem = value === undefined ? null : everyProblem(value);
  if (problem) throw new UsageError(`${command}: --every ${problem}`);
  return value;
}

/**
 * The playbook file's text. Reads no more than the longest playbook could take in UTF-8, so a device or a huge file
 * (`--playbook /dev/zero`) is refused instead of read forever.
 */
function readPlaybook(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const limit = PLAYBOOK_MAX_CHARS * 4 + 1;
  let text: string;
  try {
    const handle = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(limit);
      let filled = 0;
      for (let read = -1; read !== 0 && filled < limit; filled += read)
        read = fs.readSync(handle, buffer, filled, limit - filled, null);
      text = buffer.subarray(0, filled).toString('utf8');
    } finally {
      fs.closeSync(handle);
    }
  } catch (error) {
    throw new UsageError(
      `--playbook ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`,
    );
  }
  if (text.length > PLAYBOOK_MAX_CHARS)
    throw new UsageError(`--playbook ${file}: longer than ${PLAYBOOK_MAX_CHARS.toLocaleString('en')} characters.`);
  return text;
}

/** One line per monitor; webhooks by host only. */
function printMonitors(monitors: MonitorInfo[]): void {
  process.stdout.write(
    formatTable(
      [
        'name',
        'state',
        'source',
        'by',
        'bucket',
        'measure',
        'threshold',
        'every',
        'open alerts',
        'checked through',
        'webhooks',
      ],
      monitors.map((m) => [
        m.name,
        m.state,
        m.source,
        m.by,
        m.bucket,
        m.measure,
        m.threshold,
        m.every,
        m.openAlerts,
        m.checkedThrough ?? '—',
        m.webhooks.map((hook) => `${hook.shown} (${hook.state})`).join(', ') || '—',
      ]),
    ),
  );
}

/** The keys scripts read (`sift alerts --json`); more may follow, none changes. */
export function alertJson(alert: AlertInfo) {
  return {
    ...alertFields(alert),
    id: alert.id,
    created_at: alert.createdAt,
    acknowledged_by: alert.acknowledgedBy,
    acknowledged_at: alert.acknowledgedAt,
    resolved_by: alert.resolvedBy,
    resolved_at: alert.resolvedAt,
    note: alert.note,
    source: alert.source,
    by: alert.by,
    bucket: alert.bucket,
    delivery: alert.delivery,
  };
}

function printAlerts(alerts: AlertInfo[]): void {
  process.stdout.write(
    formatTable(
      ['id', 'monitor', 'series', 'window_start', 'window_end', 'count', 'expected', 'z', 'status', 'delivery'],
      alerts.map((a) => [
        a.id,
        a.monitor,
        a.series,
        a.windowStart,
        a.windowEnd,
        a.count,
        a.expected,
        a.z,
        a.status,
        a.delivery,
      ]),
    ),
  );
}

async function monitorAdd(args: string[]): Promise<number> {
  const spec = COMMANDS['monitor add'];
  const { values } = parseCommand(spec, args);
  if (values.share && values['auto-rate'])
    throw new UsageError('monitor add: give --share or --auto-rate, not both.', spec);
  const input = Host.validate('monitors.add', {
    name: values.name,
    source: values.source,
    by: values.by,
    bucket: values.bucket,
    measure: values.share ? 'share' : values['auto-rate'] ? 'auto_rate' : undefined,
    direction: values.direction,
    threshold: numberFlag(values.threshold, '--threshold'),
    minCount: integerFlag(values['min-count'], '--min-count'),
    every: everyFlag(values.every, 'monitor add'),
    webhooks: values.webhook,
    playbook: readPlaybook(values.playbook),
  });
  return withHost(values.workspace, async (host) => {
    const monitor = await call(host, 'monitors.add', input);
    if (values.json) console.log(JSON.stringify(monitor, null, 2));
    else printMonitors([monitor]);
    return 0;
  });
}

async function monitorList(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['monitor list'], args);
  return withHost(values.workspace, async (host) => {
    const monitors = await call(host, 'monitors.list', {});
    if (values.json) console.log(JSON.stringify(monitors, null, 2));
    else printMonitors(monitors);
    return 0;
  });
}

async function monitorSet(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['monitor set'], args);
  const change: Change = {
    name: values.name,
    threshold: numberFlag(values.threshold, '--threshold'),
    minCount: integerFlag(values['min-count'], '--min-count'),
    every: everyFlag(values.every, 'monitor set'),
    direction: values.direction as Change['direction'],
    playbook: readPlaybook(values.playbook),
    addWebhooks: values.webhook,
    removeWebhooks: values['remove-webhook'],
  };
  const input = Host.validate('monitors.update', change);
  return withHost(values.workspace, async (host) => {
    const monitor = await call(host, 'monitors.update', input);
    if (values.json) console.log(JSON.stringify(monitor, null, 2));
    else printMonitors([monitor]);
    return 0;
  });
}

async function monitorCheck(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['monitor check'], args);
  return withHost(values.workspace, async (host) => {
    const results = await call(host, 'monitors.check', { name: values.name });
    if (values.json) {
      console.log(
        JSON.stringify(
          results.map((r) => ({
            monitor: r.monitor,
            buckets_checked: r.bucketsChecked,
            raised: r.raised.map(alertJson),
          })),
          null,
          2,
        ),
      );
      return 0;
    }
    for (const result of results)
      console.log(
        `${result.monitor}: ${result.bucketsChecked} bucket(s) checked, ${result.raised.length} alert(s) raised`,
      );
    if (results.some((result) => result.raised.length > 0)) printAlerts(results.flatMap((result) => result.raised));
    return 0;
  });
}

async function monitorStatus(args: string[], status: 'acknowledge' | 'resolve'): Promise<number> {
  const { values } = parseCommand(COMMANDS[`monitor ${status}`], args);
  return withHost(values.workspace, async (host) => {
    const alert = await call(host, status === 'acknowledge' ? 'alerts.acknowledge' : 'alerts.resolve', {
      id: values.alert,
      by: values.by,
      note: values.note,
    });
    if (values.json) console.log(JSON.stringify(alertJson(alert), null, 2));
    else printAlerts([alert]);
    return 0;
  });
}

async function monitorRemove(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['monitor remove'], args);
  return withHost(values.workspace, async (host) => {
    const { removed } = await call(host, 'monitors.remove', { name: values.name });
    if (!removed) {
      console.error(`sift: there is no monitor named "${values.name}".`);
      return 1;
    }
    console.log(`Removed monitor ${values.name}.`);
    return 0;
  });
}

export async function commandMonitor(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return monitorAdd(rest);
    case 'list':
      return monitorList(rest);
    case 'set':
      return monitorSet(rest);
    case 'check':
      return monitorCheck(rest);
    case 'acknowledge':
    case 'resolve':
      return monitorStatus(rest, sub);
    case 'remove':
      return monitorRemove(rest);
    default:
      throw new UsageError(
        `monitor: expected add, list, set, check, acknowledge, resolve or remove${sub ? ` (got "${sub}")` : ''}.`,
      );
  }
}

export async function commandAlerts(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.alerts, args);
  return withHost(values.workspace, async (host) => {
    const alerts = await call(host, 'alerts.list', {
      monitor: values.monitor,
      status: values.status as AlertInfo['status'] | undefined,
    });
    if (values.json) console.log(JSON.stringify(alerts.map(alertJson), null, 2));
    else printAlerts(alerts);
    return 0;
  });
}
