/** The one typed map of Socket.IO events, imported by both the dashboard server and the browser. */
import type { ErrorCode, ErrorEnvelope } from './errors.ts';
import type { Snapshot } from './read.ts';

export interface SubscribeRequest {
  unit: string;
  window: string;
  from?: string;
  to?: string;
}

/** The codes a subscription can fail with: a subset of the one error code set. */
export const LIVE_ERROR_CODES = [
  'unauthorized',
  'forbidden',
  'not_found',
  'bad_request',
  'unavailable',
] as const satisfies readonly ErrorCode[];
export type LiveErrorCode = (typeof LIVE_ERROR_CODES)[number];

/** The error envelope without `requestId` (a socket message has no request of its own). */
export interface LiveError {
  error: Pick<ErrorEnvelope['error'], 'message'> & { code: LiveErrorCode };
}

export type SubscribeAck = Snapshot | LiveError;

/** Alerts changed somewhere in the watched unit's subtree: read the list again (it is scoped there). */
export interface AlertsChanged {
  unit: string;
}

export interface ServerToClientEvents {
  metrics: (snapshot: Snapshot) => void;
  stale: (info: { unit: string; window: string; since: string }) => void;
  alerts: (change: AlertsChanged) => void;
}

export interface ClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack: (res: SubscribeAck) => void) => void;
  unsubscribe: (req: SubscribeRequest, ack?: (res: { ok: true } | LiveError) => void) => void;
  /** Be told when the alerts of a unit's subtree change (the viewer's own subtree only). */
  watchAlerts: (req: { unit: string }, ack: (res: { ok: true } | LiveError) => void) => void;
}

/** Whether an ack is an error rather than a snapshot. */
export function isLiveError(x: unknown): x is LiveError {
  // By hand rather than with zod: the browser imports this module, and the wall screens' bundle stays small.
  const error = (x as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    (LIVE_ERROR_CODES as readonly unknown[]).includes(error.code) &&
    typeof error.message === 'string'
  );
}
