import { json } from '@sveltejs/kit';
import { withReadContext } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** GET /api/v1/units/{code}/info — the unit, its ancestors (for breadcrumbs) and its children. */
export const GET: RequestHandler = (event) =>
  withReadContext(event, async ({ runtime, unit, code }) => {
    const communeCode = code.split('/')[0];
    const ancestors = runtime.tree
      .ancestors(communeCode)
      .filter((u) => u.code !== unit.code)
      .reverse()
      .map(({ code, name, level }) => ({ code, name, level }));
    const children =
      unit.level === 'desk'
        ? []
        : runtime.tree.children(unit.code).map(({ code, name, level }) => ({ code, name, level }));
    return json({ unit, ancestors, children });
  });
