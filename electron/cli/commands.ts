/**
 * The `sift` commands: the one table of every command (its flags, its help), and the list `sift --help` prints.
 */
import { type CommandSpec } from './commandSpec.js';
import { LABELING_COMMANDS } from './labelingCommandTable.js';
import { MEDIA_COMMANDS } from './mediaCommandTable.js';
import { MONITOR_COMMANDS } from './monitorCommandTable.js';
import { WATCH_COMMANDS } from './watchCommandTable.js';
import { WORKBENCH_COMMANDS } from './workbenchCommandTable.js';

export {
  type CommandSpec,
  type CommandValues,
  commandHelp,
  commandSynopsis,
  type FlagSpec,
  HelpRequested,
  integerFlag,
  parseCommand,
  UsageError,
} from './commandSpec.js';

export const COMMANDS = {
  ...WORKBENCH_COMMANDS,
  ...LABELING_COMMANDS,
  ...MEDIA_COMMANDS,
  ...WATCH_COMMANDS,
  ...MONITOR_COMMANDS,
} as const;

export type CommandName = keyof typeof COMMANDS;

/** The words that take a second word, and the second words each takes (in the order the help lists them). */
export const COMMAND_GROUPS: Readonly<Record<string, readonly string[]>> = Object.entries(COMMANDS).reduce<
  Record<string, string[]>
>((groups, [name]) => {
  const [group, sub] = name.split(' ');
  if (sub) (groups[group!] ??= []).push(sub);
  return groups;
}, {});

/** `sift --help`, and `sift session --help` for a group: the commands, one line each. */
export function commandList(group?: string): string {
  const specs = Object.values(COMMANDS as Record<string, CommandSpec>).filter(
    (spec) => !group || spec.name.startsWith(`${group} `),
  );
  const width = Math.max(...specs.map((spec) => spec.name.length));
  const heading = group
    ? `Usage: sift ${group} <${COMMAND_GROUPS[group]!.join('|')}> [options]   (sift ${group} <command> --help for its options)`
    : 'Usage: sift <command> [options]   (every command takes --workspace DIR; sift <command> --help for its options)';
  return [heading, ...specs.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.summary}`)].join('\n');
}
