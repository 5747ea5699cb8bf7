import { expect, it } from 'vitest';
import { AlwaysOn, type AlwaysOnService } from '../../electron/host/alwaysOn';
import type { HostServices } from '../../electron/host/services';

function recorder(log: string[], name: string, work = false, failStart = false): AlwaysOnService {
  return {
    name,
    start: async () => {
      if (failStart) throw new Error('no');
      log.push(`start ${name}`);
    },
    stop: async () => void log.push(`stop ${name}`),
    hasWork: () => work,
  };
}

it('starts the services in order, stops them in reverse, once each, and says whether any has work', async () => {
  const log: string[] = [];
  const host = {} as HostServices;
  const alwaysOn = new AlwaysOn(host, [() => recorder(log, 'feeds'), () => recorder(log, 'monitors', true)]);
  expect(alwaysOn.hasWork()).toBe(false);
  await Promise.all([alwaysOn.start(), alwaysOn.start()]);
  expect(alwaysOn.isRunning).toBe(true);
  expect(alwaysOn.hasWork()).toBe(true);
  await alwaysOn.stop();
  await alwaysOn.stop();
  expect(log).toEqual(['start feeds', 'start monitors', 'stop monitors', 'stop feeds']);
  expect(alwaysOn.hasWork()).toBe(false);
});

it('keeps the other services running when one fails to start', async () => {
  const log: string[] = [];
  const alwaysOn = new AlwaysOn({} as HostServices, [
    () => recorder(log, 'broken', true, true),
    () => recorder(log, 'feeds'),
  ]);
  await alwaysOn.start();
  expect(alwaysOn.services().map((service) => service.name)).toEqual(['feeds']);
  expect(alwaysOn.hasWork()).toBe(false);
});
