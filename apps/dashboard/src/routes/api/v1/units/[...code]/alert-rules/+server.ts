import { ALERT_RULES, type AlertRule, ApiError, ruleOverrideSchema } from '@motcua/contract';
import { readRuleSettings, readUnitRuleOverrides, writeRuleOverride } from '@motcua/db';
import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { audit, ruleAudit } from '$lib/server/admin.ts';
import { checkWrite, readJsonBody, withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/**
 * GET /api/v1/units/{code}/alert-rules — the settings in force at the unit (for a district or
 * the city: what its communes inherit from it) and the unit's own overrides.
 */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, unit }) => {
    if (code.includes('/')) throw new ApiError('bad_request', 'code: rules are set per unit, not per desk');
    const settings = await readRuleSettings(runtime.db, runtime.tree);
    return json({
      unit: unit.code,
      effective: settings(code),
      overrides: await readUnitRuleOverrides(runtime.db, code),
    });
  });

const putSchema = z
  .object({ rule: z.enum(ALERT_RULES), settings: z.record(z.string(), z.unknown()) })
  .strict();

/** PUT /api/v1/units/{code}/alert-rules `{ rule, settings }` — replaces the unit's overrides of one rule ({} removes them). */
export const PUT: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, viewer, code }) => {
    checkWrite(event, viewer, { configure: true });
    if (code.includes('/')) throw new ApiError('bad_request', 'code: rules are set per unit, not per desk');
    const body = await readJsonBody(event, putSchema);
    const parsed = ruleOverrideSchema(body.rule as AlertRule).safeParse(body.settings);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError('bad_request', `settings.${issue.path.join('.')}: ${issue.message}`);
    }
    await writeRuleOverride(runtime.db, code, body.rule, parsed.data, viewer.label, Date.now());
    await audit(event, { ...ruleAudit(body.rule, parsed.data), unitCode: code });
    const settings = await readRuleSettings(runtime.db, runtime.tree);
    return json({
      unit: code,
      effective: settings(code),
      overrides: await readUnitRuleOverrides(runtime.db, code),
    });
  });
