import { describe, expect, it } from 'vitest';
import { makeWorkCalendar, VN_CALENDAR } from './calendar.ts';
import {
  computePetitionState,
  openPetition,
  type PetitionEvent,
  petitionContributions,
  workingDeadline,
} from './petition.ts';

/** Epoch ms of a local (UTC+7) time written 'YYYY-MM-DDTHH:MM'. */
const at = (local: string) => Date.parse(`${local}:00+07:00`);
const deadline = workingDeadline(makeWorkCalendar(VN_CALENDAR));
const ev = (
  type: PetitionEvent['type'],
  local: string,
  extra: Partial<PetitionEvent> = {},
): PetitionEvent => ({
  type,
  time: at(local),
  deskCode: 'Q01',
  ...extra,
});
// Monday 2025-11-03, an ordinary week with no holiday in the next three weeks.
const RECEIVED = ev('received', '2025-11-03T09:00', { category: 'procedure', dossierCode: 'HS-1' });

describe('computePetitionState', () => {
  it('an open petition is due 15 working days after the day it came in', () => {
    const s = computePetitionState([RECEIVED], deadline);
    // By hand: Tue 4/11 is day 1; 15 working days (3 weeks of 5) end on Mon 24/11, so the answer
    // is due at the midnight that closes it: 25/11 00:00.
    expect(s.dueAt).toBe(at('2025-11-25T00:00'));
    expect(s).toMatchObject({ category: 'procedure', dossierCode: 'HS-1', handledAt: null, closedAt: null });
    expect(openPetition(s, at('2025-11-24T23:59'))).toEqual({ overdue: false });
    expect(openPetition(s, at('2025-11-25T00:00'))).toEqual({ overdue: true });
  });

  it('a rejection within 2 working days is on time, on the third is late', () => {
    // By hand: received Monday 3/11; 2 working days = Tue 4/11 and Wed 5/11; due Thu 6/11 00:00.
    const onTime = computePetitionState([RECEIVED, ev('rejected', '2025-11-05T23:59')], deadline);
    expect(onTime).toMatchObject({
      handledStep: 'rejected',
      handledOnTime: true,
      closedAt: at('2025-11-05T23:59'),
    });
    const late = computePetitionState([RECEIVED, ev('rejected', '2025-11-06T00:00')], deadline);
    expect(late.handledOnTime).toBe(false);
  });

  it('across Tết 2025 (27/1–31/1 off): a supplement request has 5 working days after a Friday', () => {
    // Received Friday 24/1/2025. Working days after it: Sat 25/1 no, Sun 26/1 no, 27–31/1 Tết off,
    // Sat 1/2 and Sun 2/2 no, then Mon 3/2 (1), Tue 4/2 (2), Wed 5/2 (3), Thu 6/2 (4), Fri 7/2 (5):
    // due Sat 8/2 00:00.
    const received = ev('received', '2025-01-24T16:00', { category: 'staff' });
    const s = computePetitionState([received, ev('supplement_requested', '2025-02-07T16:00')], deadline);
    expect(s.handledOnTime).toBe(true);
    expect(s.closedAt).toBeNull();
    const late = computePetitionState([received, ev('supplement_requested', '2025-02-08T08:00')], deadline);
    expect(late.handledOnTime).toBe(false);
  });

  it('an answer on time whose publication comes after 2 working days is handled late', () => {
    const answered = ev('answered', '2025-11-07T10:00'); // Friday
    // Publication due: Mon 10/11 (1), Tue 11/11 (2) → Wed 12/11 00:00.
    const published = computePetitionState(
      [RECEIVED, answered, ev('published', '2025-11-11T17:00')],
      deadline,
    );
    expect(published.handledOnTime).toBe(true);
    const slow = computePetitionState([RECEIVED, answered, ev('published', '2025-11-12T08:00')], deadline);
    expect(slow.handledOnTime).toBe(false);
  });

  it('counts likes and dislikes and a repetition, in any order', () => {
    const events = [
      ev('reacted', '2025-11-08T10:00', { like: false }),
      ev('answered', '2025-11-07T10:00'),
      ev('repeated', '2025-11-20T10:00'),
      RECEIVED,
      ev('reacted', '2025-11-08T11:00', { like: true }),
      ev('reacted', '2025-11-09T11:00', { like: false }),
    ];
    const forward = computePetitionState(events, deadline);
    expect(forward).toMatchObject({ likes: 1, dislikes: 2, repeated: true, handledOnTime: true });
    expect(computePetitionState([...events].reverse(), deadline)).toEqual(forward);
  });
});

describe('petitionContributions', () => {
  it('received, handled on time and closed satisfied in their own buckets', () => {
    const s = computePetitionState(
      [RECEIVED, ev('answered', '2025-11-07T10:00'), ev('reacted', '2025-11-08T10:00', { like: true })],
      deadline,
    );
    expect(petitionContributions(s)).toEqual([
      { bucketTime: at('2025-11-03T09:00'), deskCode: 'Q01', counts: { petitionsReceived: 1 } },
      {
        bucketTime: at('2025-11-07T10:00'),
        deskCode: 'Q01',
        counts: { petitionsHandled: 1, petitionsHandledOnTime: 1 },
      },
      {
        bucketTime: at('2025-11-07T10:00'),
        deskCode: 'Q01',
        counts: { petitionsClosed: 1, petitionsUnsatisfied: 0 },
      },
    ]);
  });

  it('closed unsatisfied: more dislikes than likes, or handled late, or repeated', () => {
    const unsatisfied = (...more: PetitionEvent[]) =>
      petitionContributions(computePetitionState([RECEIVED, ...more], deadline)).at(-1)?.counts
        .petitionsUnsatisfied;
    expect(
      unsatisfied(ev('answered', '2025-11-07T10:00'), ev('reacted', '2025-11-08T10:00', { like: false })),
    ).toBe(1);
    expect(unsatisfied(ev('answered', '2025-11-25T10:00'))).toBe(1);
    expect(unsatisfied(ev('answered', '2025-11-07T10:00'), ev('repeated', '2025-11-20T10:00'))).toBe(1);
    expect(unsatisfied(ev('answered', '2025-11-07T10:00'))).toBe(0);
  });

  it('a supplement request handles the petition without closing it; nothing before its reception', () => {
    const s = computePetitionState([RECEIVED, ev('supplement_requested', '2025-11-04T10:00')], deadline);
    expect(petitionContributions(s).map((c) => c.counts)).toEqual([
      { petitionsReceived: 1 },
      { petitionsHandled: 1, petitionsHandledOnTime: 1 },
    ]);
    expect(openPetition(s, at('2025-12-30T00:00'))).toBeNull();
    expect(
      petitionContributions(computePetitionState([ev('answered', '2025-11-07T10:00')], deadline)),
    ).toEqual([]);
  });
});
