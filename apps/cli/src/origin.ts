import { loadSharedConfig } from '@motcua/service';

/** A listening address as a browser on this machine opens it: 0.0.0.0 and :: are no address to open. */
export const hostForUrl = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

/** The dashboard's address as users open it: PUBLIC_URL when set, else the host and port it listens on. */
export function dashboardOrigin(
  publicUrl: string | undefined,
  host: string,
  port: number | undefined,
): string {
  return (publicUrl ?? `http://${hostForUrl(host)}:${port}`).replace(/\/+$/, '');
}

/**
 * The dashboard's address from the environment, for commands run outside the server (the links
 * `viewers create` prints): the same variables `npm start` reads.
 */
export async function dashboardOriginFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { loadDashboardConfig } = await import('@motcua/dashboard/server');
  const d = loadDashboardConfig(env);
  return dashboardOrigin(d.publicUrl, loadSharedConfig(env).host, d.port);
}
