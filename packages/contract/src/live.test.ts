import { describe, expect, it } from 'vitest';
import { isLiveError } from './live.ts';

describe('isLiveError', () => {
  it('recognises the error ack', () => {
    expect(isLiveError({ error: { code: 'forbidden', message: 'outside your units' } })).toBe(true);
  });

  it.each([
    null,
    undefined,
    'forbidden',
    { ok: true },
    { error: 'forbidden' },
    { error: { code: 'teapot', message: 'x' } },
    { error: { code: 'forbidden' } },
    { unit: { code: '01' }, metrics: {} },
  ])('rejects %j', (x) => {
    expect(isLiveError(x)).toBe(false);
  });
});
