import { describe, expect, it } from 'vitest';
import { report, runDisplaySoak, type Sample, trends } from '../soak/display-soak.ts';

// The short version of `npm run soak:display`: the same run and the same bounds, 100 s long.
describe('wall display soak (short)', () => {
  it('the verdict catches a slow leak and lets noise pass', () => {
    const MiB = 2 ** 20;
    const run = (heap: (i: number) => number, nodes: (i: number) => number): Sample[] =>
      Array.from({ length: 40 }, (_, i) => ({
        t: i * 30_000,
        heapBytes: heap(i),
        nodes: nodes(i),
        listeners: 40,
        canvases: 1,
        hubClients: 1,
        hubSubscriptions: 1,
        state: 'live',
      }));
    const noise = (i: number) => ((i * 7919) % 13) - 6;
    const flat = trends(
      run(
        (i) => 8 * MiB + noise(i) * 0.2 * MiB,
        (i) => 600 + noise(i) * 20,
      ),
      0,
    );
    expect(flat.every((t) => t.ok)).toBe(true);
    // 100 kB and 15 nodes a sample: 4 MiB and 600 nodes over 20 minutes.
    const leak = trends(
      run(
        (i) => 8 * MiB + i * 100_000 + noise(i) * 0.2 * MiB,
        (i) => 600 + i * 15,
      ),
      0,
    );
    expect(leak.filter((t) => !t.ok).map((t) => t.metric)).toEqual(['heapBytes', 'nodes']);
  });

  it('shows no growth of heap, DOM, listeners or charts and leaks no socket through restarts and cuts', async () => {
    const result = await runDisplaySoak({
      durationMs: 100_000,
      eventsPerSec: 5,
      restarts: 4,
      cuts: 2,
      cutMs: 12_000,
      sampleMs: 8_000,
      warmup: 0.25,
      db: 'pglite',
    });
    const lines = report(result);
    expect(result.restartsDone).toBe(4);
    expect(result.cutsDone).toBe(2);
    expect(result.samples.length).toBeGreaterThanOrEqual(10);
    expect(result.ok, lines.join('\n')).toBe(true);
  }, 240_000);
});
