/**
 * `sift monitor add` run twice by a script: the same definition, webhooks included, answers the monitor (no error,
 * no second webhook); a different one is refused rather than merged.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Host } from '../../electron/host/host';
import { call, openTempHost, outcomeOf } from './support';

let host: Host;
beforeAll(async () => {
  ({ host } = await openTempHost());
});
afterAll(async () => {
  await host.close();
});

it('takes the same add with the same webhook again, and refuses one with another webhook', async () => {
  const add = {
    name: 'spam',
    source: 'reports' as const,
    by: 'reason',
    bucket: 'hour' as const,
    webhooks: ['https://hooks.example.com/services/T0/B0/secret'],
  };
  const first = await call(host, 'monitors.add', add);
  const again = await outcomeOf(host, 'monitors.add', add);
  expect(again).toMatchObject({ ok: true, value: { name: 'spam' } });
  expect(again.ok && again.value.webhooks.map((w) => w.id)).toEqual(first.webhooks.map((w) => w.id));
  const other = await outcomeOf(host, 'monitors.add', { ...add, webhooks: ['https://other.example.com/hook'] });
  expect(other).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
});
