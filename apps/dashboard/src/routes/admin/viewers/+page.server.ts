import { VIEWER_ROLES, type ViewerRole } from '@motcua/contract';
import { CredentialError, createViewer, listViewers, revokeViewer, viewerLink } from '@motcua/db';
import { error, fail } from '@sveltejs/kit';
import { audit, mayGrantRole, mayManageUnit, qrSvg, requireAdmin, unitsUnder } from '$lib/server/admin.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

export const load: PageServerLoad = async (event) => {
  const viewer = requireAdmin(event);
  const { db, tree } = getRuntime();
  const viewers = (await listViewers(db)).filter((v) => mayManageUnit(tree, viewer, v.unitCode));
  return {
    roles: VIEWER_ROLES.filter((r) => mayGrantRole(viewer, r)),
    units: unitsUnder(tree, viewer.unitCode).map((u) => ({
      code: u.code,
      name: u.name,
      level: u.level,
      depth: u.depth,
    })),
    viewers: viewers.reverse().map((v) => ({
      prefix: v.prefix,
      role: v.role,
      unitCode: v.unitCode,
      unitName: tree.get(v.unitCode)?.name ?? v.unitCode,
      label: v.label,
      revoked: v.revokedAt !== null,
      self: v.id === viewer.id,
    })),
  };
};

export const actions: Actions = {
  create: async (event) => {
    const viewer = requireAdmin(event);
    const { db, tree } = getRuntime();
    const form = await event.request.formData();
    const role = text(form, 'role') as ViewerRole;
    const unit = text(form, 'unit');
    const label = text(form, 'label');
    if (!VIEWER_ROLES.includes(role))
      return fail(400, { error: `role: expected one of ${VIEWER_ROLES.join(', ')}` });
    if (!tree.get(unit)) return fail(400, { error: `unit: unknown unit ${unit || '(empty)'}` });
    if (!mayManageUnit(tree, viewer, unit))
      error(403, { message: `unit ${unit}: outside your unit`, code: 'forbidden' });
    if (!mayGrantRole(viewer, role))
      error(403, { message: 'role: only an admin makes admins', code: 'forbidden' });
    if (!label || label.length > 100) return fail(400, { error: 'label: 1–100 characters' });
    try {
      const { token, prefix } = await createViewer(db, { role, unit, label });
      await audit(event, {
        action: 'viewer.create',
        subject: prefix,
        unitCode: unit,
        detail: { role, label },
      });
      const link = viewerLink(event.url.origin, role, unit, token);
      return { created: { prefix, role, unitCode: unit, label, link, qr: await qrSvg(link) } };
    } catch (err) {
      if (err instanceof CredentialError) return fail(400, { error: err.message });
      throw err;
    }
  },

  revoke: async (event) => {
    const viewer = requireAdmin(event);
    const { db, tree } = getRuntime();
    const form = await event.request.formData();
    const prefix = text(form, 'prefix');
    const target = (await listViewers(db)).find((v) => v.prefix === prefix);
    if (!target || !mayManageUnit(tree, viewer, target.unitCode)) {
      error(404, { message: `viewer ${prefix}: not found`, code: 'not_found' });
    }
    if (!mayGrantRole(viewer, target.role))
      error(403, { message: 'only an admin revokes an admin', code: 'forbidden' });
    if ((await revokeViewer(db, prefix)) > 0) {
      await audit(event, {
        action: 'viewer.revoke',
        subject: prefix,
        unitCode: target.unitCode,
        detail: { role: target.role, label: target.label },
      });
    }
    return { revoked: prefix };
  },
};
