import { getRuntime } from '$lib/server/runtime.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
  lang: locals.lang,
  revoked: locals.revoked,
  viewer: locals.viewer
    ? { role: locals.viewer.role, unitCode: locals.viewer.unitCode, label: locals.viewer.label }
    : null,
  /** Whether the server can print PDF reports (a Chromium at MOTCUA_CHROMIUM_PATH). */
  pdf: getRuntime().reports.pdfAvailable(),
});
