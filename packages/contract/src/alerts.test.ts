import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SETTINGS, ruleOverrideSchema } from './alerts.ts';

describe('ruleOverrideSchema', () => {
  it('keeps only the keys a unit sets (no defaults filled in for the others)', () => {
    expect(ruleOverrideSchema('dossier_deadline').parse({ cityAfterHours: 2 })).toEqual({
      cityAfterHours: 2,
    });
    expect(ruleOverrideSchema('desk_silent').parse({})).toEqual({});
    expect(ruleOverrideSchema('sync_lag').parse({ enabled: false })).toEqual({ enabled: false });
  });

  it('checks each key as the full settings do, and refuses unknown keys', () => {
    const schema = ruleOverrideSchema('dossier_deadline');
    expect(schema.safeParse({ dueSoonHours: 0.1 }).success).toBe(false);
    expect(schema.safeParse({ dueSoonHours: '24' }).success).toBe(false);
    expect(schema.safeParse({ minRatings: 5 }).success).toBe(false);
    expect(ruleOverrideSchema('satisfaction_low').safeParse({ windowDays: 1.5 }).success).toBe(false);
  });

  it('leaves the built-in defaults as they were', () => {
    expect(DEFAULT_RULE_SETTINGS.dossier_deadline).toEqual({
      enabled: true,
      dueSoonHours: 24,
      cityAfterHours: 48,
    });
  });
});
