/** Every `sift` command has its own --help, printed from the same table that parses its flags. */
import { describe, expect, it } from 'vitest';
import { COMMANDS, type CommandSpec, parseCommand, UsageError } from '../../electron/cliCommands';
import { sift } from './cliFixture';

const specs: CommandSpec[] = Object.values(COMMANDS);

describe('sift CMD --help', () => {
  it('answers for every command with its usage and every flag it accepts, exit 0, without a workspace', async () => {
    for (const spec of specs) {
      const out = await sift(...spec.name.split(' '), '--help');
      expect({ command: spec.name, code: out.code, stderr: out.stderr }).toEqual({
        command: spec.name,
        code: 0,
        stderr: '',
      });
      expect(out.stdout).toMatch(new RegExp(`^Usage: sift ${spec.name}\\b`));
      for (const flag of Object.keys(spec.flags)) expect(out.stdout, `${spec.name} --${flag}`).toContain(`--${flag}`);
    }
  }, 300_000);

  it('lists the commands for sift --help and sift help, and a group for sift session --help; sift help CMD is CMD --help', async () => {
    const all = await sift('--help');
    expect(all.code).toBe(0);
    for (const spec of specs) expect(all.stdout).toContain(`  ${spec.name} `);
    expect((await sift('help')).stdout).toBe(all.stdout);
    const session = await sift('session', '--help');
    expect(session.code).toBe(0);
    expect(session.stdout).toContain('session create');
    expect(session.stdout).not.toContain('labels ingest');
    expect((await sift('help', 'import')).stdout).toBe((await sift('import', '-h')).stdout);
  }, 120_000);

  it('keeps usage mistakes at exit 2, naming the command and showing its usage', async () => {
    const unknown = await sift('import', '--bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("sift: import: Unknown option '--bogus'.");
    expect(unknown.stderr).toContain('Usage: sift import FILE...');
    const missing = await sift('labels', 'ingest', '--session', 's1');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('labels ingest: --annotator NAME is required.');
    expect((await sift('session')).code).toBe(2);
    // A negative number is a flag's value, judged by the command's range check (not Node's "ambiguous" refusal).
    const negative = await sift('monitor', 'add', ...MONITOR_FLAGS, '--threshold', '-3');
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('sift: --threshold is a positive number (got "-3").');
    // A playbook is read no further than the longest one kept: a device that never ends is refused.
    const endless = await sift('monitor', 'add', ...MONITOR_FLAGS, '--playbook', '/dev/zero');
    expect(endless.code).toBe(2);
    expect(endless.stderr).toContain('--playbook /dev/zero: longer than 20,000 characters.');
  }, 120_000);
});

const MONITOR_FLAGS = ['--name', 'm', '--source', 'reports', '--by', 'reason', '--bucket', 'hour'];

describe('the command tables', () => {
  it('parse exactly the flags the help names, refusing values outside a flag’s choices', () => {
    for (const spec of specs) {
      for (const [name, flag] of Object.entries(spec.flags)) {
        // Give every required flag, and --sql for query's --sql/--file pair, so only the flag under test decides.
        const base = Object.entries(spec.flags)
          .filter(([other, f]) => f.required && other !== name)
          .flatMap(([other, f]) => [`--${other}`, f.choices?.[0] ?? 'x']);
        const pair = spec.exactlyOne && !spec.exactlyOne.includes(name) ? [`--${spec.exactlyOne[0]}`, 'x'] : [];
        const value = flag.type === 'boolean' ? [] : [flag.choices?.[0] ?? 'x'];
        const { values } = parseCommand(spec, [...base, ...pair, `--${name}`, ...value]);
        expect((values as Record<string, unknown>)[name], `${spec.name} --${name}`).toEqual(
          flag.type === 'boolean' ? true : flag.multiple ? [value[0]] : value[0],
        );
        if (flag.choices)
          expect(() => parseCommand(spec, [...base, ...pair, `--${name}`, 'no-such-choice'])).toThrow(UsageError);
      }
      expect(() => parseCommand(spec, ['--no-such-flag'])).toThrow(UsageError);
    }
  });
});
