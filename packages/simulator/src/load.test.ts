import { type DeskEvent, validateEvent } from '@motcua/contract';
import { describe, expect, it } from 'vitest';
import { createLoadStream } from './load.ts';

/** The contract's validation message of an event, if any; `time` may lie anywhere (histories are generated ahead). */
const contractProblems = (e: DeskEvent): string[] => {
  const checked = validateEvent(e, Number.POSITIVE_INFINITY);
  return checked.ok ? [] : [checked.message];
};

const NOW = Date.parse('2025-11-29T10:00:00+07:00');

describe('createLoadStream', () => {
  it('emits valid events stamped now, with run-scoped ids, dossier and petition codes', () => {
    const stream = createLoadStream({ unit: '00004', seed: 3, runId: 'run1', now: () => NOW });
    const events: DeskEvent[] = [];
    for (let i = 0; i < 30; i++) events.push(...stream.next(200));
    expect(events).toHaveLength(6000);
    expect(events.flatMap(contractProblems)).toEqual([]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.every((e) => e.id.startsWith('run1-') && e.time === '2025-11-29T10:00:00+07:00')).toBe(
      true,
    );
    expect(events.every((e) => e.source.startsWith('/units/00004/desks/Q0'))).toBe(true);
    const types = new Set(events.map((e) => e.type));
    for (const t of ['received', 'resolved', 'returned', 'supplement_requested', 'rejected', 'paid']) {
      expect(types.has(`vn.motcua.dossier.${t}` as DeskEvent['type'])).toBe(true);
    }
    expect(types.has('vn.motcua.rating.submitted')).toBe(true);

    // Every dossier event follows its own received event, and due dates lie ahead; so do petitions.
    const seen = new Set<string>();
    const petitions = new Set<string>();
    for (const e of events) {
      if (e.type === 'vn.motcua.dossier.received') {
        expect(e.data.dossierCode.endsWith('.run1')).toBe(true);
        expect(Date.parse(e.data.dueAt)).toBeGreaterThan(NOW);
        seen.add(e.data.dossierCode);
      } else if (e.type === 'vn.motcua.petition.received') {
        expect(e.data.petitionCode.endsWith('.run1')).toBe(true);
        if (e.data.repeatOf !== undefined) expect(petitions.has(e.data.repeatOf)).toBe(true);
        petitions.add(e.data.petitionCode);
      } else if (e.type.startsWith('vn.motcua.petition.')) {
        expect(petitions.has((e.data as { petitionCode: string }).petitionCode)).toBe(true);
      } else if (e.type !== 'vn.motcua.rating.submitted') {
        expect(seen.has((e.data as { dossierCode: string }).dossierCode)).toBe(true);
      }
    }
    expect(petitions.size).toBeGreaterThan(0);
  });

  it('uses the one desk of a desk-limited key, and separate runs never share ids', () => {
    const a = createLoadStream({ unit: '00004', desk: 'Q07', seed: 3, runId: 'a', now: () => NOW }).next(500);
    const b = createLoadStream({ unit: '00004', seed: 3, runId: 'b', now: () => NOW }).next(500);
    expect(a.every((e) => e.source === '/units/00004/desks/Q07')).toBe(true);
    const ids = new Set(a.map((e) => e.id));
    expect(b.some((e) => ids.has(e.id))).toBe(false);
  });
});
