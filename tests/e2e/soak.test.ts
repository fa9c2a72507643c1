import { describe, expect, it } from 'vitest';
import { MAX_TCP, openTcp, report, runDisplaySoak, type Sample, trends } from '../soak/display-soak.ts';

// The short version of `npm run soak:display`: the same run and the same bounds, 100 s long.
describe('wall display soak (short)', () => {
  it('the verdict catches a slow leak and lets noise pass', () => {
    const MiB = 2 ** 20;
    const run = (
      heap: (i: number) => number,
      nodes: (i: number) => number,
      tcp: (i: number) => number = (i) => 2 + (i % 5),
    ): Sample[] =>
      Array.from({ length: 40 }, (_, i) => ({
        t: i * 30_000,
        heapBytes: heap(i),
        nodes: nodes(i),
        listeners: 40,
        canvases: 1,
        tcp: tcp(i),
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
    // A server socket left open at every other restart: +1 every 4 samples, 10 over the run.
    const sockets = trends(
      run(
        () => 8 * MiB,
        () => 600,
        (i) => 2 + Math.floor(i / 4) + (i % 2),
      ),
      0,
    );
    expect(sockets.filter((t) => !t.ok).map((t) => t.metric)).toEqual(['tcp']);
  });

  it("counts the server's open TCP connections on a port from the kernel's table", async () => {
    const { createServer, connect } = await import('node:net');
    const server = createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    expect(openTcp(port)).toBe(0);
    const clients = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<ReturnType<typeof connect>>((r) => {
            const c = connect(port, '127.0.0.1', () => r(c));
          }),
      ),
    );
    await expect.poll(() => openTcp(port)).toBe(3);
    for (const c of clients) c.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    await expect.poll(() => openTcp(port)).toBe(0);
    expect(MAX_TCP).toBeGreaterThanOrEqual(7);
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
    // The kernel's count was read at every sample (Linux), not left out.
    expect(result.samples.every((x) => Number.isFinite(x.tcp))).toBe(true);
    expect(result.ok, lines.join('\n')).toBe(true);
  }, 240_000);
});
