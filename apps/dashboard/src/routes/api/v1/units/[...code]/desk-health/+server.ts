import { ApiError } from '@motcua/contract';
import { readDeskHealth, readRuleSettings } from '@motcua/db';
import { deskHealth, formatLocal } from '@motcua/metrics';
import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/units/{code}/desk-health — every desk of the unit's subtree: its last event, its
 * usual rhythm, its sync lag and its state (live, quiet, silent, lagging; null: not measured yet).
 */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, asOf }) => {
    if (code.includes('/')) throw new ApiError('bad_request', 'code: desk health is listed per unit');
    const { db, tree, calendar } = runtime;
    const settings = await readRuleSettings(db, tree);
    const rows = await readDeskHealth(
      db,
      tree.communesUnder(code),
      (c) => settings(c).desk_silent.rhythmDays,
      asOf,
      calendar,
    );
    const desks = rows.map((r) => {
      const base = {
        unitCode: r.unitCode,
        unitName: tree.get(r.unitCode)?.name ?? r.unitCode,
        deskCode: r.deskCode,
      };
      if (r.lastEventAt === null) {
        return {
          ...base,
          state: null,
          lastEventAt: null,
          lastReceivedAt: null,
          perWorkingHour: null,
          silentMinutes: null,
          lagHours: null,
        };
      }
      const s = settings(r.unitCode);
      const h = deskHealth(r, asOf, calendar, {
        silentMinutes: s.desk_silent.silentMinutes,
        minPerHour: s.desk_silent.minPerHour,
        lagHours: s.sync_lag.lagHours,
      });
      return {
        ...base,
        state: h.state,
        lastEventAt: formatLocal(r.lastEventAt),
        lastReceivedAt: formatLocal(r.lastReceivedAt),
        perWorkingHour: r.perWorkingHour,
        silentMinutes: Math.round(h.silentMs / 60_000),
        lagHours: Math.round((h.lagMs / 3_600_000) * 10) / 10,
      };
    });
    return json({ unit: code, asOf: formatLocal(asOf), desks });
  });
