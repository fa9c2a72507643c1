import { ApiError, targetInputSchema } from '@motcua/contract';
import { mayEditTargets, readTargets, writeTarget } from '@motcua/db';
import { targetRange } from '@motcua/metrics';
import { json } from '@sveltejs/kit';
import { audit } from '$lib/server/admin.ts';
import { withReadContext } from '$lib/server/api.ts';
import { readBody, withWriteContext } from '$lib/server/write.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/targets — the targets in force for the unit and its children. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, code, viewer }) => {
    const targets = await readTargets(runtime.db, runtime.tree, code, viewer);
    if (!targets) throw new ApiError('not_found', `unit ${code}: unknown`);
    return json(targets);
  });

/** PUT /api/v1/units/{code}/targets — sets or (value null) removes the unit's own target for one figure. */
export const PUT: RequestHandler = (event) =>
  withWriteContext(event, async ({ runtime, code, viewer }) => {
    if (!mayEditTargets(runtime.tree, viewer, code)) {
      throw new ApiError(
        'forbidden',
        `unit ${code}: targets are set by the city, and by a district for its communes`,
      );
    }
    const input = await readBody(event, targetInputSchema);
    const range = targetRange(input.figure);
    if (input.value !== null && input.value > range.max) {
      throw new ApiError(
        'bad_request',
        `value: at most ${range.max} for ${input.figure}${range.max === 1 ? ' (a share: 0.95 = 95 %)' : ' (points)'}`,
      );
    }
    await writeTarget(runtime.db, { unitCode: code, figure: input.figure, value: input.value, viewer });
    await audit(event, {
      action: input.value === null ? 'target.clear' : 'target.set',
      subject: input.figure,
      unitCode: code,
      detail: { value: input.value },
    });
    return json(await readTargets(runtime.db, runtime.tree, code, viewer));
  });
