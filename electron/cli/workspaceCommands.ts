/**
 * The commands that make or serve a workspace: `sift init` (an empty one), `sift sample` (the sample data) and
 * `sift serve` (the UI in a browser, over an engine process that holds the workspace).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SiftError } from '../../shared/errors.js';
import { EngineClient } from '../engine/engineClient.js';
import { EngineConnection } from '../engine/engineConnection.js';
import { connectOrStart } from '../engine/shellEngine.js';
import { Host } from '../host/host.js';
import {
  createEmptyWorkspaceFolder,
  createSampleWorkspaceFolder,
  DATABASE_FILE,
  isWorkspaceFolder,
  rememberWorkspace,
  rendererDist,
  type SampleKind,
} from '../host/outsideWorkspace.js';
import { startServer } from '../server.js';
import { COMMANDS, parseCommand, UsageError } from './commands.js';
import { call, resolveWorkspace } from './hostCalls.js';
import { certificateWarnings, listenChoice } from './serveAddress.js';

export async function commandInit(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.init, args);
  const dir = await createEmptyWorkspaceFolder(values.workspace);
  // The policy file and Sift's own tables are in place before the first import.
  const host = await Host.open(dir, { remember: false });
  try {
    await call(host, 'sessions.list', {});
  } finally {
    await host.close();
  }
  rememberWorkspace(dir);
  console.log(
    `Created an empty workspace in ${dir}. Import your data with: sift import --workspace ${dir} FILE… (map it onto content, users, reports, moderation_actions to light up every view).`,
  );
  return 0;
}

export async function commandSample(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.sample, args);
  const { dir, tables } = await createSampleWorkspaceFolder(values.workspace, {
    kind: values.kind as SampleKind,
    from: values.from,
  });
  rememberWorkspace(dir);
  console.log(`Created sample workspace ${dir}: ${tables.map((t) => `${t.name} (${t.rowCount})`).join(', ')}`);
  return 0;
}

export async function commandServe(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.serve, args);
  const port = values.port ? Number(values.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('serve: --port is a number from 0 to 65535.');
  const folders = (values.folder ?? []).map((folder) => path.resolve(folder));
  for (const folder of folders)
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory())
      throw new UsageError(`serve: --folder ${folder} is not a folder.`);
  const listen = listenChoice(values);
  // A server may be reached by others: SQL and imports read only the workspace and the folders named here.
  // The workspace lives in the engine process; this one only serves HTTP and routes calls to it.
  const dir = resolveWorkspace(values.workspace);
  if (!isWorkspaceFolder(dir))
    throw new SiftError({
      code: 'WORKSPACE_MISSING',
      message: `${dir} is not a Sift workspace (no ${DATABASE_FILE}). Create an empty one with: sift init --workspace ${dir} (or the sample data with: sift sample --workspace ${dir})`,
    });
  const host = await connectOrStart(dir, () =>
    EngineClient.start({ dir, fileAccess: { kind: 'confined', folders }, kind: 'serve' }),
  );
  rememberWorkspace(host.workspaceDir());
  if (host instanceof EngineConnection)
    console.error(
      `Sift is serving through the engine of ${host.holder()}, which holds the workspace: what SQL and imports may read is what it was given.`,
    );
  let server;
  try {
    server = await startServer({
      host,
      port,
      hostname: listen.hostname,
      tls: listen.tls,
      token: values['no-token'] ? null : undefined,
      staticDir: rendererDist(),
    });
  } catch (error) {
    await host.close();
    throw new SiftError({
      code: 'BAD_REQUEST',
      message: `serve: cannot listen on ${listen.hostname} port ${port || '(any free one)'}: ${error instanceof Error ? error.message : error}`,
    });
  }
  // Said on every start: a LAN served over plain HTTP, or a certificate browsers will refuse.
  for (const warning of [...listen.warnings, ...certificateWarnings(listen, server.address)]) console.error(warning);
  console.log(`Sift is serving ${host.workspaceDir()} at ${server.url}`);
  if (values.open) openInBrowser(server.url);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await host.close();
  return 0;
}

export function openInBrowser(url: string): boolean {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const found =
    process.platform !== 'linux' ||
    (process.env.PATH ?? '').split(':').some((dir) => fs.existsSync(path.join(dir, opener)));
  if (!found) return false;
  import('node:child_process').then(({ spawn }) => spawn(opener, [url], { detached: true, stdio: 'ignore' }).unref());
  return true;
}
