import {
  CredentialError,
  createDeskKey,
  createKioskPairing,
  listDeskKeys,
  listKiosks,
  revokeDeskKey,
  revokeKiosk,
} from '@motcua/db';
import { error, fail } from '@sveltejs/kit';
import { audit, mayManageUnit, phoneOrigins, qrSvg, requireAdmin, unitsUnder } from '$lib/server/admin.ts';
import { getRuntime } from '$lib/server/runtime.ts';
import type { Actions, PageServerLoad } from './$types';

const DEFAULT_MIN_INTERVAL_SECONDS = 5;

/**
 * What a created pairing shows once: the code to type, and the kiosk link as text and QR code.
 * Opened on a loopback address, the page's own origin is useless to a phone: the link is then
 * on the machine's LAN address when it listens there (`phone.lan`), else the page says how to
 * make it reachable (`phone.unreachable`).
 */
async function pairingView(
  pageUrl: URL,
  p: { code: string; expiresAt: Date; unitCode: string; deskCode: string },
) {
  const lan = phoneOrigins(pageUrl, getRuntime().listen);
  const origin = lan?.[0] ?? pageUrl.origin;
  const url = `${origin}/kiosk?pair=${p.code}`;
  return {
    code: `${p.code.slice(0, 4)}-${p.code.slice(4)}`,
    url,
    phone:
      lan === null ? null : { lan: lan[0] ?? null, unreachable: lan.length === 0, local: pageUrl.origin },
    qr: await qrSvg(url),
    expiresAt: p.expiresAt.toISOString(),
    unitCode: p.unitCode,
    deskCode: p.deskCode,
  };
}

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

function minInterval(form: FormData): number | null {
  const raw = text(form, 'minInterval');
  if (raw === '') return DEFAULT_MIN_INTERVAL_SECONDS;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 600 ? n : null;
}

/** The desk key of `prefix` if it lies in the viewer's subtree; else a 404 (not telling which). */
async function keyInScope(prefix: string, event: Parameters<typeof requireAdmin>[0]) {
  const viewer = requireAdmin(event);
  const { db, tree } = getRuntime();
  const key = (await listDeskKeys(db)).find((k) => k.prefix === prefix);
  if (!key || !mayManageUnit(tree, viewer, key.unitCode))
    error(404, { message: `desk key ${prefix}: not found`, code: 'not_found' });
  return key;
}

export const load: PageServerLoad = async (event) => {
  const viewer = requireAdmin(event);
  const { db, tree } = getRuntime();
  const keys = (await listDeskKeys(db)).filter((k) => mayManageUnit(tree, viewer, k.unitCode));
  const prefixes = new Set(keys.map((k) => k.prefix));
  const kiosks = (await listKiosks(db)).filter((k) => prefixes.has(k.deskKeyPrefix));
  return {
    communes: unitsUnder(tree, viewer.unitCode)
      .filter((u) => u.level === 'commune')
      .map((u) => ({ code: u.code, name: u.name })),
    keys: keys.reverse().map((k) => ({
      prefix: k.prefix,
      unitCode: k.unitCode,
      unitName: tree.get(k.unitCode)?.name ?? k.unitCode,
      deskCode: k.deskCode,
      label: k.label,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      revoked: k.revokedAt !== null,
      kiosks: kiosks
        .filter((x) => x.deskKeyPrefix === k.prefix)
        .map((x) => ({
          id: x.id,
          label: x.label,
          deskCode: x.deskCode,
          paired: x.pairedAt !== null,
          expired: x.pairedAt === null && x.pairingExpiresAt.getTime() < Date.now(),
          revoked: x.revokedAt !== null,
        })),
    })),
  };
};

export const actions: Actions = {
  create: async (event) => {
    const viewer = requireAdmin(event);
    const { db, tree } = getRuntime();
    const form = await event.request.formData();
    const unit = text(form, 'unit');
    const label = text(form, 'label');
    const desk = text(form, 'desk') || null;
    const interval = minInterval(form);
    if (!tree.get(unit)) return fail(400, { error: `unit: unknown unit ${unit || '(empty)'}` });
    if (!mayManageUnit(tree, viewer, unit))
      error(403, { message: `unit ${unit}: outside your unit`, code: 'forbidden' });
    if (!label || label.length > 100) return fail(400, { error: 'label: 1–100 characters' });
    if (interval === null)
      return fail(400, { error: 'minInterval: a whole number of seconds from 0 to 600' });
    try {
      const { key, prefix } = await createDeskKey(db, { unit, label, desk });
      await audit(event, {
        action: 'desk_key.create',
        subject: prefix,
        unitCode: unit,
        detail: { label, desk },
      });
      let pairing = null;
      if (desk) {
        const p = await createKioskPairing(db, {
          deskKeyPrefix: prefix,
          label,
          minIntervalSeconds: interval,
        });
        await audit(event, {
          action: 'kiosk.pairing_create',
          subject: `${prefix}#${p.kioskId}`,
          unitCode: unit,
          detail: { label, desk: p.deskCode, minIntervalSeconds: interval },
        });
        pairing = await pairingView(event.url, p);
      }
      return { created: { key, prefix, unitCode: unit, label, deskCode: desk, pairing } };
    } catch (err) {
      if (err instanceof CredentialError) return fail(400, { error: err.message });
      throw err;
    }
  },

  pair: async (event) => {
    const form = await event.request.formData();
    const key = await keyInScope(text(form, 'prefix'), event);
    const { db } = getRuntime();
    const interval = minInterval(form);
    if (interval === null)
      return fail(400, { error: 'minInterval: a whole number of seconds from 0 to 600' });
    const label = text(form, 'label') || key.label;
    try {
      const p = await createKioskPairing(db, {
        deskKeyPrefix: key.prefix,
        label,
        deskCode: text(form, 'desk') || null,
        minIntervalSeconds: interval,
      });
      await audit(event, {
        action: 'kiosk.pairing_create',
        subject: `${key.prefix}#${p.kioskId}`,
        unitCode: key.unitCode,
        detail: { label, desk: p.deskCode, minIntervalSeconds: interval },
      });
      return { pairing: { ...(await pairingView(event.url, p)), keyPrefix: key.prefix } };
    } catch (err) {
      if (err instanceof CredentialError) return fail(400, { error: err.message });
      throw err;
    }
  },

  revoke: async (event) => {
    const form = await event.request.formData();
    const key = await keyInScope(text(form, 'prefix'), event);
    const { db } = getRuntime();
    const n = await revokeDeskKey(db, key.prefix);
    if (n > 0) {
      await audit(event, {
        action: 'desk_key.revoke',
        subject: key.prefix,
        unitCode: key.unitCode,
        detail: { label: key.label },
      });
    }
    return { revoked: key.prefix };
  },

  revokeKiosk: async (event) => {
    const form = await event.request.formData();
    const key = await keyInScope(text(form, 'prefix'), event);
    const { db } = getRuntime();
    const id = Number(text(form, 'kiosk'));
    const kiosk = (await listKiosks(db)).find((k) => k.id === id && k.deskKeyPrefix === key.prefix);
    if (!kiosk) error(404, { message: `kiosk ${id}: not found`, code: 'not_found' });
    if ((await revokeKiosk(db, id)) > 0) {
      await audit(event, {
        action: 'kiosk.revoke',
        subject: `${key.prefix}#${id}`,
        unitCode: key.unitCode,
        detail: { label: kiosk.label, desk: kiosk.deskCode },
      });
    }
    return { revokedKiosk: id };
  },
};
