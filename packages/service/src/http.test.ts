import { once } from 'node:events';
import { Agent, createServer, get } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { applyKeepAlive, KEEP_ALIVE_MS } from './http.ts';

/** One GET through the agent: the body and the client socket it went over. */
function fetchText(url: string, agent: Agent): Promise<{ body: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ body, socket: req.socket as Socket }));
    });
    req.on('error', reject);
  });
}

describe('applyKeepAlive', () => {
  it('keeps an idle connection open past Node’s 5 s default, so a reused socket is answered', {
    timeout: 15_000,
  }, async () => {
    const server = createServer((_req, res) => res.end('ok'));
    applyKeepAlive(server);
    expect(server.keepAliveTimeout).toBe(KEEP_ALIVE_MS);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await fetchText(url, agent);
      expect(first.body).toBe('ok');
      // Idle longer than Node's default keep-alive timeout (5 s): with it the server closes the
      // socket here (this assertion fails without applyKeepAlive); with ours it stays open.
      const outcome = await Promise.race([
        once(first.socket, 'close').then(() => 'closed by the server'),
        new Promise((r) => setTimeout(() => r('still open'), 5_500)),
      ]);
      expect(outcome).toBe('still open');
      const second = await fetchText(url, agent);
      expect(second.body).toBe('ok');
      expect(second.socket).toBe(first.socket);
    } finally {
      agent.destroy();
      server.closeAllConnections();
      server.close();
    }
  });
});
