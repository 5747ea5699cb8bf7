/** The labeling part of the contract (shared/contract/labeling.ts): sessions, labels, agreement, interchange. */
import type { labelingMethods } from '../../../shared/contract/labeling.js';
import { quietJobContext } from '../jobs.js';
import type { Handlers, HostServices } from '../services.js';
import { agreementReport } from './agreementReport.js';

export function labelingHandlers(host: HostServices): Handlers<keyof typeof labelingMethods> {
  return {
    'taxonomy.get': async ({ version }) => (await host.labeling()).taxonomy(version),
    'sessions.list': async () => (await host.labeling()).list(),
    'sessions.create': async (input) => {
      const labeling = await host.labeling();
      const job = host.jobs.start('sessions.create', `Create session ${input.name}`, async (ctx) => {
        const created = await labeling.create(input, ctx);
        host.emit({ channel: 'workspace', event: { type: 'changed' } });
        return created;
      });
      return { jobId: job.id };
    },
    'sessions.retrain': async ({ sessionId }) => {
      const labeling = await host.labeling();
      const job = host.jobs.start(
        'sessions.retrain',
        `Retrain for session ${labeling.get(sessionId, 'anyone').name}`,
        async (ctx) => {
          const outcome = await labeling.retrain(sessionId, ctx);
          host.emit({ channel: 'workspace', event: { type: 'changed' } });
          return outcome;
        },
      );
      return { jobId: job.id };
    },
    'sessions.backtest': async ({ sessionId, cut }) => {
      const labeling = await host.labeling();
      const job = host.jobs.start(
        'sessions.backtest',
        `Backtest session ${labeling.get(sessionId, 'anyone').name} at ${cut}`,
        (ctx) => labeling.backtest(sessionId, cut, ctx),
      );
      return { jobId: job.id };
    },
    'sessions.get': async ({ sessionId, annotator }) => (await host.labeling()).get(sessionId, annotator),
    'sessions.next': async ({ sessionId, annotator }) => (await host.labeling()).next(sessionId, annotator),
    'labels.record': async ({ sessionId, annotator, action }) =>
      (await host.labeling()).record(sessionId, annotator, action),
    'labels.recordMany': async ({ sessionId, annotator, actions }) =>
      (await host.labeling()).recordMany(sessionId, annotator, actions),
    'labels.agreement': async ({ sessions }) => {
      const labeling = await host.labeling();
      await labeling.syncStore(); // the labels just made count
      // Categories with leaves get a row for the second taxonomy level too (the latest policy's).
      const withLeaves = labeling.policy
        .get(labeling.policy.latestVersion())
        .categories.filter((category) => category.leaves.length > 0)
        .map((category) => category.name);
      return agreementReport(host.workspace, sessions, withLeaves);
    },
    'policy.migrate': async ({ to }) => (await host.labeling()).migratePolicy(to, quietJobContext()),
    'labels.disagreements': async ({ sessionId }) => (await host.labeling()).disagreements(sessionId),
    'labels.export': async ({ sessionId, format, path: target, annotator }) =>
      (await host.labeling()).exportEvents(sessionId, format, target, annotator),
    'labels.import': async ({ sessionId, path: file, format }) =>
      (await host.labeling()).importFile(sessionId, host.workspace.checkReadable(file, 'path'), format),
  };
}
