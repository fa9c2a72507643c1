import { error, redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export interface DeskHealthItem {
  unitCode: string;
  unitName: string;
  deskCode: string;
  state: 'live' | 'quiet' | 'silent' | 'lagging' | null;
  lastEventAt: string | null;
  lastReceivedAt: string | null;
  perWorkingHour: number | null;
  silentMinutes: number | null;
  lagHours: number | null;
}

export const load: PageLoad = async ({ params, url, fetch, parent }) => {
  const { viewer } = await parent();
  if (!viewer) redirect(303, `/?next=${encodeURIComponent(url.pathname + url.search)}`);
  const [health, info] = await Promise.all([
    fetch(`/api/v1/units/${params.code}/desk-health`),
    fetch(`/api/v1/units/${params.code}/info`),
  ]);
  if (!health.ok) {
    const body = await health.json().catch(() => null);
    error(health.status, {
      message: body?.error?.message ?? health.statusText,
      code: body?.error?.code ?? 'http',
    });
  }
  const data = (await health.json()) as { unit: string; asOf: string; desks: DeskHealthItem[] };
  const unitInfo = info.ok ? await info.json() : null;
  return { code: params.code, ...data, info: unitInfo };
};
