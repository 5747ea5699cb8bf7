/**
 * The `sift` command line. Every command takes --workspace DIR (default: the workspace used last). The commands'
 * flags, and their help (`sift CMD --help`), are the tables in cli/commands.ts; each command's code is in the
 * cli/ file of its concern, and reaches a workspace only through the host's contract (cli/hostCalls.ts).
 */
import { toErrorInfo } from '../shared/errors.js';
import { shutdownComputePool } from './host/outsideWorkspace.js';
import {
  COMMAND_GROUPS,
  COMMANDS,
  commandHelp,
  commandList,
  type CommandSpec,
  commandSynopsis,
  HelpRequested,
  UsageError,
} from './cli/commands.js';
import { commandImport, commandTables } from './cli/dataCommands.js';
import { commandBacktest } from './cli/backtestCommand.js';
import { commandDataset } from './cli/datasetCommands.js';
import { commandGate } from './cli/gateCommands.js';
import { commandAgreement, commandPolicy, commandSession } from './cli/labelingCommands.js';
import { commandLabels } from './cli/labelsCommands.js';
import { commandMedia } from './cli/mediaCommands.js';
import { commandEval, commandModels, commandScore, commandSpike } from './cli/modelCommands.js';
import { commandAlerts, commandMonitor } from './cli/monitorCommands.js';
import { commandQuery } from './cli/queryCommand.js';
import { commandDrift } from './cli/driftCommand.js';
import { commandRobustness } from './cli/robustnessCommand.js';
import { commandWatch } from './cli/watchCommands.js';
import { commandInit, commandSample, commandServe } from './cli/workspaceCommands.js';

export { openInBrowser } from './cli/workspaceCommands.js';

const HELP_FLAGS = ['--help', '-h'];

/** Each command word's code (a group's word takes its second word itself: `session create`). */
const RUN: Record<string, (args: string[]) => Promise<number>> = {
  serve: commandServe,
  import: commandImport,
  tables: commandTables,
  query: commandQuery,
  init: commandInit,
  sample: commandSample,
  spike: commandSpike,
  models: commandModels,
  score: commandScore,
  eval: commandEval,
  gate: commandGate,
  robustness: commandRobustness,
  drift: commandDrift,
  session: commandSession,
  labels: commandLabels,
  agreement: commandAgreement,
  backtest: commandBacktest,
  dataset: commandDataset,
  policy: commandPolicy,
  monitor: commandMonitor,
  alerts: commandAlerts,
  watch: commandWatch,
  media: commandMedia,
};

/** The table of the command argv names (`query`, `session create`), if it names one. */
function specOf(argv: string[]): CommandSpec | undefined {
  const commands: Record<string, CommandSpec> = COMMANDS;
  return commands[`${argv[0]} ${argv[1]}`] ?? commands[argv[0] ?? ''];
}

/** What follows a usage mistake: the command's synopsis, or the list of commands (of its group). */
function usageHint(argv: string[]): string {
  const spec = specOf(argv);
  if (spec) return `Usage: ${commandSynopsis(spec)}\nRun "sift ${spec.name} --help" for what each option does.`;
  return commandList(argv[0] && COMMAND_GROUPS[argv[0]] ? argv[0] : undefined);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `sift help [CMD]`, `sift --help`, and `sift GROUP --help` (`sift session --help`) list commands or show one's help.
    if (command === undefined || command === 'help' || HELP_FLAGS.includes(command)) {
      const spec = rest.length > 0 ? specOf(rest) : undefined;
      if (rest.length > 0 && !spec && !COMMAND_GROUPS[rest[0]!])
        throw new UsageError(`Unknown command "${rest.join(' ')}".`);
      console.log(spec ? commandHelp(spec) : commandList(rest[0]));
      return command === undefined ? 2 : 0;
    }
    if (COMMAND_GROUPS[command] && HELP_FLAGS.includes(rest[0] ?? '')) {
      console.log(commandList(command));
      return 0;
    }
    const run = Object.hasOwn(RUN, command) ? RUN[command] : undefined;
    if (!run) throw new UsageError(`Unknown command "${command}".`);
    return await run(rest);
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(commandHelp(error.spec));
      return 0;
    }
    if (error instanceof UsageError) {
      console.error(`sift: ${error.message}\n${error.spec ? usageHint(error.spec.name.split(' ')) : usageHint(argv)}`);
      return 2;
    }
    console.error(`sift: ${toErrorInfo(error).message.split('\n')[0]}`);
    return 1;
  } finally {
    // A command that used the compute pool (eval, spike drill, scoring) would otherwise keep the process alive.
    await shutdownComputePool();
  }
}
