/**
 * The label journal's appends are all-or-nothing: records appended together (a pack import, a policy migration, an
 * action over several categories) survive a crash whole or not at all, wherever the write was cut.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabelJournal } from '../../electron/host/labeling/labelJournal';
import { tempDir } from './support';

describe('label journal', () => {
  it('keeps a group of records appended together whole or drops it, at every byte a crash could cut it', async () => {
    const file = path.join(tempDir('sift-journal-'), 'labels.journal');
    const { journal } = LabelJournal.open(file);
    await journal.append([{ t: 'event', event_id: 'e0' }]);
    const before = journal.bytes;
    await journal.append([
      { t: 'session', id: 's1' },
      ...Array.from({ length: 3 }, (_, i) => ({ t: 'event', event_id: `e${i + 1}`, note: 'x'.repeat(40) })),
    ]);
    await journal.close();
    const whole = fs.readFileSync(file);
    // Every line end and the bytes either side of it, plus a spread of points inside the lines.
    const cuts = new Set<number>([whole.length]);
    for (let at = before; at < whole.length; at++)
      if (whole[at] === 0x0a) [at - 1, at, at + 1].forEach((cut) => cuts.add(cut));
    for (let at = before; at < whole.length; at += 17) cuts.add(at);
    for (const cut of [...cuts].filter((c) => c >= before && c <= whole.length).sort((a, b) => a - b)) {
      fs.writeFileSync(file, whole.subarray(0, cut));
      const { journal: reopened, records } = LabelJournal.open(file);
      await reopened.close();
      const ids = records.map((record) => String(record.event_id ?? record.id));
      expect(ids, `cut at byte ${cut} of ${whole.length}`).toEqual(
        cut === whole.length ? ['e0', 's1', 'e1', 'e2', 'e3'] : ['e0'],
      );
      expect(fs.statSync(file).size).toBe(cut === whole.length ? whole.length : before);
    }
  }, 120_000);
});
