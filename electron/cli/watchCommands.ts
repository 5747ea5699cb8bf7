/**
 * `sift watch add|remove|list` (the feeds part of the contract) and `sift watch run`: the workspace's always-on
 * services — folder feeds, monitors — in the foreground until SIGINT or SIGTERM, then the workspace closed cleanly.
 */
import type { FeedInfo } from '../../shared/contract.js';
import { SiftError } from '../../shared/errors.js';
import type { HostEvent } from '../../shared/jobs.js';
import { MAX_SETTLE_MS } from '../../shared/feedRules.js';
import { COMMANDS, parseCommand, UsageError } from './commands.js';
import type { EngineConnection } from '../engine/engineConnection.js';
import { call, formatTable, holdWorkspace, resolveWorkspace, withHost } from './hostCalls.js';

export async function commandWatch(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return watchAdd(rest);
    case 'remove':
      return watchRemove(rest);
    case 'list':
      return watchList(rest);
    case 'run':
      return watchRun(rest);
    default:
      throw new UsageError(`watch: expected add, remove, list or run${sub ? ` (got "${sub}")` : ''}.`);
  }
}

function oneFolder(command: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`${command}: name one folder (DIR).`);
  return positionals[0]!;
}

async function watchAdd(args: string[]): Promise<number> {
  const spec = COMMANDS['watch add'];
  const { values, positionals } = parseCommand(spec, args);
  const dir = oneFolder(spec.name, positionals);
  let settleMs: number | undefined;
  if (values.settle !== undefined) {
    const seconds = Number(values.settle);
    if (values.settle.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds * 1000 > MAX_SETTLE_MS)
      throw new UsageError(`watch add: --settle is a number of seconds from 0 to ${MAX_SETTLE_MS / 1000}.`, spec);
    settleMs = Math.round(seconds * 1000);
  }
  return withHost(values.workspace, async (host) => {
    const feed = await call(host, 'watch.add', {
      dir,
      table: values.table,
      pattern: values.pattern,
      format: values.format as 'csv' | 'parquet' | 'json' | undefined, // checked by the table's choices
      settleMs,
    });
    if (values.json) console.log(JSON.stringify(feed));
    else
      console.log(
        `Watching ${feed.dir} (${feed.pattern}) into ${feed.table}; files are read after ${feed.settleMs / 1000} s unchanged.`,
      );
    return 0;
  });
}

async function watchRemove(args: string[]): Promise<number> {
  const spec = COMMANDS['watch remove'];
  const { values, positionals } = parseCommand(spec, args);
  const dir = oneFolder(spec.name, positionals);
  return withHost(values.workspace, async (host) => {
    const { removed } = await call(host, 'watch.remove', { dir });
    if (!removed) throw new SiftError({ code: 'NOT_FOUND', message: `watch remove: no feed watches ${dir}.` });
    if (values.json) console.log(JSON.stringify({ removed }));
    else console.log(`No longer watching ${removed.dir} (${removed.table} keeps its ${removed.rows} rows).`);
    return 0;
  });
}

async function watchList(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['watch list'], args);
  return withHost(values.workspace, async (host) => {
    const feeds = await call(host, 'watch.list', {});
    if (values.json) {
      console.log(JSON.stringify({ feeds }));
      return 0;
    }
    if (feeds.length === 0) {
      console.log('No folder feeds. Add one with: sift watch add DIR --table NAME');
      return 0;
    }
    process.stdout.write(
      formatTable(
        ['folder', 'pattern', 'table', 'taken', 'rows', 'duplicates', 'set aside'],
        feeds.map((feed) => [feed.dir, feed.pattern, feed.table, feed.taken, feed.rows, feed.duplicates, feed.failed]),
      ),
    );
    for (const line of problems(feeds)) console.log(line);
    return 0;
  });
}

/** The duplicates and the files set aside, newest first: what a person should look at. */
function problems(feeds: FeedInfo[]): string[] {
  return feeds.flatMap((feed) =>
    feed.recent.flatMap((file) =>
      file.status === 'failed'
        ? [`set aside: ${file.error}`]
        : file.status === 'duplicate'
          ? [`duplicate: ${file.path} has the same content as ${file.duplicateOf} (not taken again)`]
          : [],
    ),
  );
}

/** What feeds take is printed as it happens (stdout). */
function printTaken(event: HostEvent): void {
  if (event.channel === 'feed' && event.event.type === 'taken')
    console.log(
      `Took ${event.event.path}: ${event.event.rows} row${event.event.rows === 1 ? '' : 's'} into ${event.event.table}`,
    );
}

async function watchRun(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['watch run'], args);
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const held = await holdWorkspace(resolveWorkspace(values.workspace), 'watch');
  if ('heldBy' in held) return followHolder(held.heldBy, stopped);
  const { host } = held;
  try {
    // What feeds take is printed as it happens (stdout); duplicates and files set aside are logged on stderr.
    const unsubscribe = host.onEvent(printTaken);
    await host.alwaysOn.start();
    const feeds = await call(host, 'watch.list', {});
    process.stderr.write(
      `sift: running ${host.alwaysOn
        .services()
        .map((service) => service.name)
        .join(
          ' and ',
        )} on ${host.workspaceDir()} (${feeds.length} folder feed${feeds.length === 1 ? '' : 's'}); Ctrl+C stops.\n`,
    );
    // A timer keeps the process alive while it waits for a signal, whatever the services hold.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const signal = await stopped;
    clearInterval(keepAlive);
    unsubscribe();
    await host.alwaysOn.stop();
    process.stderr.write(`sift: stopped (${signal}).\n`);
    return 0;
  } finally {
    await held.release();
  }
}

/**
 * The app or `sift serve` holds the workspace and runs its feeds and monitors in its engine: `watch run` says so and
 * prints what the feeds take there, until a signal or that engine's end.
 */
async function followHolder(holder: EngineConnection, stopped: Promise<NodeJS.Signals>): Promise<number> {
  process.stderr.write(
    `sift: ${holder.holder()} holds ${holder.workspaceDir()} and runs its feeds and monitors; following it. Ctrl+C stops.\n`,
  );
  const unsubscribe = holder.onEvent(printTaken);
  const ended = new Promise<'ended'>((resolve) => holder.onClose(() => resolve('ended')));
  const why = await Promise.race([stopped, ended]);
  unsubscribe();
  await holder.close();
  process.stderr.write(
    why === 'ended' ? `sift: ${holder.holder()} closed the workspace.\n` : `sift: stopped (${why}).\n`,
  );
  return why === 'ended' ? 1 : 0;
}
