/** The reports part of the contract (shared/contract/reports.ts): saved, parameterised SQL reports. */
import type { reportMethods } from '../../../shared/contract/reports.js';
import type { Handlers, HostServices } from '../services.js';
import { parseReportParams } from './reports.js';

export function reportHandlers(host: HostServices): Handlers<keyof typeof reportMethods> {
  return {
    'reports.list': () => host.reports.list(),
    'reports.get': ({ id }) => host.reports.get(id),
    'reports.save': (draft) => host.reports.save(draft),
    'reports.setChart': ({ id, chart }) => host.reports.setChart(id, chart),
    'reports.setPinned': ({ id, pinned }) => host.reports.setPinned(id, pinned),
    'reports.delete': async ({ id }) => ({ deleted: await host.reports.delete(id) }),
    'reports.params': async ({ sql }) => ({ params: parseReportParams(sql) }),
    'reports.run': (input) => host.reports.run(input),
    'reports.import': ({ path: file }) => host.reports.importFile(file),
    'reports.export': ({ id, format, path: target }) => host.reports.exportReport(id, format, target),
  };
}
