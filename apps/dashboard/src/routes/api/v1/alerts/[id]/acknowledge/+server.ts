import { alertAction } from '$lib/server/alert-action.ts';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = alertAction('acknowledge');
