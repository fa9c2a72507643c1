export { type Client, type ClientOptions, createClient, type SendResult } from './client.ts';
export { ClientClosedError, IngestError, QueueFullError } from './errors.ts';
export { newEventId, parseRetryAfter } from './wire.ts';
