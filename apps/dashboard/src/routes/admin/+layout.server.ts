import { requireAdmin } from '$lib/server/admin.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = (event) => {
  const viewer = requireAdmin(event);
  const unit = getRuntime().tree.get(viewer.unitCode);
  return { admin: { role: viewer.role, unitCode: viewer.unitCode, unitName: unit?.name ?? viewer.unitCode } };
};
