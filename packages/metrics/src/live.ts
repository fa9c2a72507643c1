/** The one typed map of Socket.IO events, imported by both the dashboard server and the browser. */
import type { Snapshot } from './types.ts';

export interface SubscribeRequest {
  unit: string;
  window: string;
  from?: string;
  to?: string;
}

export type LiveErrorCode = 'unauthorized' | 'forbidden' | 'not_found' | 'bad_request' | 'unavailable';

export interface LiveError {
  error: { code: LiveErrorCode; message: string };
}

export type SubscribeAck = Snapshot | LiveError;

export interface ServerToClientEvents {
  metrics: (snapshot: Snapshot) => void;
  stale: (info: { unit: string; window: string; since: string }) => void;
}

export interface ClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack: (res: SubscribeAck) => void) => void;
  unsubscribe: (req: SubscribeRequest, ack?: (res: { ok: true } | LiveError) => void) => void;
}

const LIVE_ERROR_CODES: readonly string[] = [
  'unauthorized',
  'forbidden',
  'not_found',
  'bad_request',
  'unavailable',
];

/** Whether an ack is an error rather than a snapshot. */
export function isLiveError(x: unknown): x is LiveError {
  if (typeof x !== 'object' || x === null || !('error' in x)) return false;
  const { error } = x;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    LIVE_ERROR_CODES.includes(error.code) &&
    'message' in error &&
    typeof error.message === 'string'
  );
}
