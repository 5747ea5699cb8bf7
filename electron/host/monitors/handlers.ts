/** The monitors part of the contract (shared/contract/monitors.ts): monitors, their alerts and deliveries. */
import type { monitorMethods } from '../../../shared/contract/monitors.js';
import type { Handlers, HostServices } from '../services.js';

export function monitorHandlers(host: HostServices): Handlers<keyof typeof monitorMethods> {
  return {
    'monitors.list': () => host.monitors.list(),
    'monitors.add': (input) => host.monitors.add(input),
    'monitors.update': (input) => host.monitors.update(input),
    'monitors.remove': ({ name }) => host.monitors.remove(name),
    'monitors.check': ({ name }) => host.monitors.check(name),
    'monitors.series': ({ name, buckets }) => host.monitors.series(name, buckets),
    'alerts.list': (filter) => host.monitors.alerts(filter),
    'alerts.acknowledge': ({ id, by, note }) => host.monitors.setStatus(id, 'acknowledged', by, note),
    'alerts.resolve': ({ id, by, note }) => host.monitors.setStatus(id, 'resolved', by, note),
    'alerts.deliveries': (filter) => host.monitors.deliveries(filter),
  };
}
