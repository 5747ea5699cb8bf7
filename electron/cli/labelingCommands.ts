/**
 * The labeling commands of the `sift` command line (their flags and help are the tables in labelingCommandTable.ts).
 * Scripts and pipelines depend on these forms:
 *
 *   sift session create --name NAME --pool SQL --model NAME[@VERSION] --strategy S --batch N [--seed S] [--json]
 *   sift session list [--json]
 *   sift session next --session ID --annotator NAME --json
 *   sift session retrain --session ID [--json]
 *   sift agreement [--session ID]… [--json]
 *   sift policy migrate [--to vN] [--json]
 *
 * Each reaches the workspace through the host's contract: sessions.create and sessions.retrain (jobs),
 * sessions.list, sessions.next, labels.agreement, policy.migrate. The `labels` commands are in labelsCommands.ts.
 */
import { Host } from '../host/host.js';
import { COMMANDS, integerFlag, parseCommand, UsageError } from './commands.js';
import { call, formatTable, runJob, withHost } from './hostCalls.js';

export async function commandSession(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create':
      return sessionCreate(rest);
    case 'list':
      return sessionList(rest);
    case 'next':
      return sessionNext(rest);
    case 'retrain':
      return sessionRetrain(rest);
    default:
      throw new UsageError(`session: expected create, list, next or retrain${sub ? ` (got "${sub}")` : ''}.`);
  }
}

/** `sift policy migrate [--to vN] [--json]`: carries labels to a new policy version and queues the rest for relabeling. */
export async function commandPolicy(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'migrate') throw new UsageError(`policy: expected migrate${sub ? ` (got "${sub}")` : ''}.`);
  const { values } = parseCommand(COMMANDS['policy migrate'], rest);
  const input = Host.validate('policy.migrate', { to: values.to });
  return withHost(values.workspace, async (host) => {
    const migration = await call(host, 'policy.migrate', input);
    if (values.json) console.log(JSON.stringify(migration, null, 2));
    else {
      console.log(
        `Carried ${migration.carried} label(s) from ${migration.from} to ${migration.to}${migration.alreadyCarried ? ` (${migration.alreadyCarried === migration.carried ? 'all' : migration.alreadyCarried} written by an earlier run)` : ''}${migration.carriedSession ? ` into session ${migration.carriedSession}` : ''}.`,
      );
      console.log(
        migration.relabel
          ? `${migration.relabel} item(s) to relabel under ${migration.to} in session ${migration.relabelSession}: ${migration.reasons.join('; ')}`
          : 'Nothing to relabel.',
      );
    }
    return 0;
  });
}

/** `sift agreement --session ID [--session ID]… [--json]`: agreement per category over the sessions' current labels. */
export async function commandAgreement(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS.agreement, args);
  const input = Host.validate('labels.agreement', { sessions: values.session ?? [] });
  return withHost(values.workspace, async (host) => {
    const report = await call(host, 'labels.agreement', input);
    if (values.json) {
      // The second taxonomy level is reported beside the categories (under "leaves"), keeping "categories" as it was.
      const level = (which: 'category' | 'leaf') =>
        Object.fromEntries(
          report.categories
            .filter((c) => c.level === which)
            .map((c) => [
              c.category,
              {
                items: c.items,
                raters: c.raters,
                pairable_items: c.pairableItems,
                fleiss_kappa: c.fleissKappa,
                fleiss_raters: c.fleissRaters,
                fleiss_items: c.fleissItems,
                krippendorff_alpha: c.krippendorffAlpha,
                cohen_kappa: c.cohen.map((pair) => ({
                  a: pair.a,
                  b: pair.b,
                  items: pair.items,
                  kappa: pair.kappa,
                  ...(pair.reason ? { undefined: pair.reason } : {}),
                })),
                undefined: {
                  ...(c.fleissReason ? { fleiss_kappa: c.fleissReason } : {}),
                  ...(c.krippendorffReason ? { krippendorff_alpha: c.krippendorffReason } : {}),
                },
                below_floor: c.belowFloor,
                vs_adjudicated: c.vsAdjudicated,
              },
            ]),
        );
      console.log(
        JSON.stringify(
          { sessions: report.sessions, floor: report.floor, categories: level('category'), leaves: level('leaf') },
          null,
          2,
        ),
      );
      return 0;
    }
    const show = (value: number | null) => (value === null ? '—' : value.toFixed(3));
    process.stdout.write(
      formatTable(
        ['category', 'items', 'raters', 'fleiss_kappa', 'krippendorff_alpha', 'note'],
        report.categories.map((c) => [
          c.category,
          c.items,
          c.raters,
          c.fleissKappa === null ? '—' : `${show(c.fleissKappa)} (${c.fleissItems} items × ${c.fleissRaters})`,
          show(c.krippendorffAlpha),
          [
            c.belowFloor ? `below ${report.floor}: check the policy's definition` : '',
            c.krippendorffReason ?? '',
            c.fleissReason && c.fleissReason !== c.krippendorffReason ? c.fleissReason : '',
          ]
            .filter(Boolean)
            .join('; '),
        ]),
      ),
    );
    const pairs = report.categories.flatMap((c) =>
      c.cohen.map((pair) => [
        c.category,
        `${pair.a} / ${pair.b}`,
        pair.items,
        pair.kappa === null ? `— (${pair.reason})` : pair.kappa.toFixed(3),
      ]),
    );
    if (pairs.length > 0)
      process.stdout.write(`\n${formatTable(['category', 'annotators', 'items', 'cohen_kappa'], pairs)}`);
    return 0;
  });
}

async function sessionCreate(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['session create'], args);
  const at = values.model.lastIndexOf('@');
  const model = at > 0 ? values.model.slice(0, at) : values.model;
  const version = at > 0 ? values.model.slice(at + 1) : undefined;
  const input = Host.validate('sessions.create', {
    name: values.name,
    pool: values.pool,
    model,
    version,
    strategy: values.strategy,
    batchSize: integerFlag(values.batch, '--batch'),
    overlap: integerFlag(values.overlap, '--overlap'),
    idleMinutes: values['idle-minutes'] === undefined ? undefined : Number(values['idle-minutes']),
    seed: integerFlag(values.seed, '--seed'),
    createdBy: values.annotator,
  });
  return withHost(values.workspace, async (host) => {
    const session = await runJob(host, 'sessions.create', input, `session ${input.name}`);
    if (values.json) console.log(JSON.stringify(session, null, 2));
    else {
      console.log(
        `Created session ${session.id} "${session.name}": ${session.ranked} of ${session.poolSize} pool items ranked by ${session.strategy} with ${session.model} ${session.version}, batches of ${session.batchSize}, policy ${session.policyVersion}.`,
      );
      if (session.unscored > 0)
        console.log(
          `${session.unscored} items have no score from ${session.model} ${session.version}; they come last.`,
        );
      if (session.excluded > 0)
        console.log(`${session.excluded} items were left out by the ${session.strategy} strategy.`);
    }
    return 0;
  });
}

async function sessionList(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['session list'], args);
  return withHost(values.workspace, async (host) => {
    const sessions = await call(host, 'sessions.list', {});
    if (values.json) console.log(JSON.stringify(sessions, null, 2));
    else if (sessions.length === 0)
      console.log(
        'No labeling sessions yet. Create one with: sift session create --name NAME --pool SQL --model NAME --strategy entropy --batch 20',
      );
    else
      process.stdout.write(
        formatTable(
          ['id', 'name', 'model', 'strategy', 'batch', 'items', 'policy', 'created'],
          sessions.map((s) => [
            s.id,
            s.name,
            `${s.model}@${s.version}`,
            s.strategy,
            s.batchSize,
            s.ranked,
            s.policyVersion,
            s.createdAt,
          ]),
        ),
      );
    return 0;
  });
}

/** `sift session retrain --session ID [--json]`: the model in the loop, retrained on the labels so far; the session re-ranks by it. */
async function sessionRetrain(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['session retrain'], args);
  const input = Host.validate('sessions.retrain', { sessionId: values.session });
  return withHost(values.workspace, async (host) => {
    const outcome = await runJob(host, 'sessions.retrain', input, `retrain ${input.sessionId}`);
    if (values.json) console.log(JSON.stringify(outcome, null, 2));
    else
      console.log(
        `Retrained ${outcome.model} ${outcome.fromVersion} → ${outcome.version} on ${outcome.trainedOn} items (${outcome.humanLabeled} labeled by people); re-scored ${outcome.rescored}, session re-ranked ${outcome.ranked} items.`,
      );
    return 0;
  });
}

async function sessionNext(args: string[]): Promise<number> {
  const { values } = parseCommand(COMMANDS['session next'], args);
  const input = Host.validate('sessions.next', { sessionId: values.session, annotator: values.annotator });
  return withHost(values.workspace, async (host) => {
    const batch = await call(host, 'sessions.next', input);
    if (values.json) console.log(JSON.stringify(batch, null, 2));
    else if (batch.finished) console.log(`Session ${batch.sessionId} has nothing left for ${batch.annotator}.`);
    else
      process.stdout.write(
        formatTable(
          ['rank', 'content_id', 'status', 'text'],
          batch.items.map((item) => [
            item.rank,
            item.contentId,
            item.state?.status ?? 'open',
            (item.text ?? '').replace(/\s+/g, ' '),
          ]),
        ),
      );
    return 0;
  });
}
