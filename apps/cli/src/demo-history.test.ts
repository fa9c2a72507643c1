import { validateEvent } from '@motcua/contract';
import { createCityModel } from '@motcua/simulator';
import { describe, expect, it } from 'vitest';
import { type HistoryJob, historySlices } from './demo-history.ts';

const HOUR = 3_600_000;
const communes = ['00004', '00007', '00010', '00013'];
const to = Date.UTC(2026, 10, 23, 10); // a Monday, 17:00 in Hà Nội
const job: HistoryJob = {
  communes,
  seed: 7,
  schedule: [{ from: to, speed: 30 }],
  slices: [
    { from: to - 24 * HOUR, to, communes: communes.slice(0, 2) },
    { from: to - 24 * HOUR, to, communes: communes.slice(2) },
    { from: to - 72 * HOUR, to: to - 24 * HOUR, communes },
  ],
};

describe('demo history on a worker thread', () => {
  it('yields each slice in order, the model’s events as the ingest validates them', async () => {
    const model = createCityModel({ communes: communes.map((code) => ({ code })), seed: job.seed });
    const expected = job.slices.map((s) =>
      model.generate(s.from, s.to, { schedule: job.schedule, communes: s.communes }).map((e) => {
        const checked = validateEvent(e, Date.now());
        if (!checked.ok) throw new Error(checked.message);
        return checked.event;
      }),
    );
    const got = [];
    for await (const events of historySlices(job)) got.push(events);
    expect(got).toEqual(expected);
    expect(got.flat().length).toBeGreaterThan(100);
  });
});
