import { parseRfc3339 } from '@motcua/contract';
import { describe, expect, it } from 'vitest';
import { classifyOpen, computeDossierState, dossierContributions } from './outcome.ts';
import { HOUR } from './time.ts';
import type { DossierEvent, DossierEventType } from './types.ts';

/** Local (UTC+7) wall-clock time, e.g. '2026-11-25T17:00'. */
function at(local: string): number {
  const ms = parseRfc3339(`${local}:00+07:00`);
  if (ms === null) throw new Error(`bad time ${local}`);
  return ms;
}

function ev(type: DossierEventType, local: string, deskCode = '00004/Q01'): DossierEvent {
  return { type, time: at(local), deskCode };
}

function received(local: string, dueLocal: string, deskCode = '00004/Q01'): DossierEvent {
  return { type: 'received', time: at(local), deskCode, dueAt: at(dueLocal), channel: 'online' };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

const RECEIVED = received('2026-11-20T08:00', '2026-11-25T17:00');

describe('computeDossierState', () => {
  it('keeps an open dossier open, with its received data', () => {
    const s = computeDossierState([RECEIVED]);
    expect(s).toEqual({
      deskCode: '00004/Q01',
      receivedAt: at('2026-11-20T08:00'),
      dueAt: at('2026-11-25T17:00'),
      channel: 'online',
      supplementRequests: 0,
      rescheduled: false,
      pausedMs: 0,
      pendingSince: null,
      finishedAt: null,
      outcome: null,
      processingMs: null,
      facts: {},
      paidOnline: false,
      complained: false,
    });
  });

  it('open with an unanswered supplement request: waiting, and the deadline moves with asOf', () => {
    const s = computeDossierState([RECEIVED, ev('supplement_requested', '2026-11-24T10:00')]);
    expect(s.pendingSince).toBe(at('2026-11-24T10:00'));
    expect(s.pausedMs).toBe(0);
    // Past dueAt but still paused: deadline = dueAt + (asOf − request), always ahead of asOf.
    expect(classifyOpen(s, at('2026-11-26T10:00'))).toEqual({
      overdue: false,
      dueSoon: false,
      waitingSupplement: true,
    });
    expect(classifyOpen(s, at('2026-12-20T10:00'))?.overdue).toBe(false);
  });

  it('open with a request made 1 h before dueAt stays due within the hour, whatever asOf', () => {
    const s = computeDossierState([RECEIVED, ev('supplement_requested', '2026-11-25T16:00')]);
    for (const asOf of [at('2026-11-25T16:30'), at('2026-11-30T08:00'), at('2027-01-10T08:00')]) {
      expect(classifyOpen(s, asOf)).toEqual({ overdue: false, dueSoon: true, waitingSupplement: true });
    }
  });

  it('finished with an unanswered supplement request: paused until it finished', () => {
    const s = computeDossierState([
      RECEIVED,
      ev('supplement_requested', '2026-11-24T10:00'),
      ev('resolved', '2026-11-27T09:00'),
    ]);
    // Paused 24T10:00 → 27T09:00 = 71 h; deadline 25T17:00 + 71 h = 28T16:00; finished on the 27th.
    expect(s.pausedMs).toBe(71 * HOUR);
    expect(s.pendingSince).toBeNull();
    expect(s.outcome).toBe('early');
    // 20T08:00 → 27T09:00 = 169 h, minus 71 h paused.
    expect(s.processingMs).toBe(98 * HOUR);
  });

  it('two supplement requests make it late', () => {
    const s = computeDossierState([
      RECEIVED,
      ev('supplement_requested', '2026-11-21T10:00'),
      ev('supplement_received', '2026-11-21T11:00'),
      ev('supplement_requested', '2026-11-22T10:00'),
      ev('supplement_received', '2026-11-22T11:00'),
      ev('resolved', '2026-11-23T09:00'),
    ]);
    expect(s.supplementRequests).toBe(2);
    expect(s.pausedMs).toBe(2 * HOUR);
    expect(s.outcome).toBe('late');
  });

  it('a rescheduled event makes it late even if it finished early', () => {
    const s = computeDossierState([
      RECEIVED,
      ev('rescheduled', '2026-11-21T10:00'),
      ev('resolved', '2026-11-22T09:00'),
    ]);
    expect(s.rescheduled).toBe(true);
    expect(s.outcome).toBe('late');
    expect(s.processingMs).toBe(49 * HOUR);
  });

  it('finishing on the local due date is onTime, even when its UTC date is the day before', () => {
    // Finish 26T00:30 local = 25T17:30Z; due 26T17:00 local = 26T10:00Z. UTC dates would say early.
    const s = computeDossierState([
      received('2026-11-20T08:00', '2026-11-26T17:00'),
      ev('resolved', '2026-11-26T00:30'),
    ]);
    expect(s.outcome).toBe('onTime');
  });

  it('finishing on the local day before the due date is early, even when the UTC dates are equal', () => {
    // Finish 25T23:30 local = 25T16:30Z; due 26T06:00 local = 25T23:00Z. UTC dates would say onTime.
    const s = computeDossierState([
      received('2026-11-20T08:00', '2026-11-26T06:00'),
      ev('resolved', '2026-11-25T23:30'),
    ]);
    expect(s.outcome).toBe('early');
  });

  it('finishing exactly at the deadline is onTime, 1 ms after is late', () => {
    const dueAt = at('2026-11-25T17:00');
    const finish = (time: number) =>
      computeDossierState([RECEIVED, { type: 'resolved', time, deskCode: '00004/Q01' }]).outcome;
    expect(finish(dueAt)).toBe('onTime');
    expect(finish(dueAt + 1)).toBe('late');
  });

  it('a supplement pause pushes the deadline, so finishing after dueAt can still be onTime', () => {
    const s = computeDossierState([
      RECEIVED,
      ev('supplement_requested', '2026-11-22T09:00'),
      ev('supplement_received', '2026-11-24T09:00'),
      ev('resolved', '2026-11-27T10:00'),
    ]);
    // Deadline 25T17:00 + 48 h = 27T17:00.
    expect(s.pausedMs).toBe(48 * HOUR);
    expect(s.outcome).toBe('onTime');
  });

  it('gives the same state for events in any order', () => {
    const inOrder = [
      RECEIVED,
      ev('supplement_requested', '2026-11-22T09:00'),
      ev('supplement_received', '2026-11-22T09:00'),
      ev('supplement_requested', '2026-11-23T09:00'),
      ev('returned', '2026-11-26T09:00'),
      ev('resolved', '2026-11-27T10:00'),
    ];
    // Worked by hand: the second request (23T09:00) is never answered, so the dossier pauses from
    // it until the finish, the earlier resolved (27T10:00; returned is not the finish when resolved
    // exists): 97 h. The first request is answered at once (0 h). Two requests ⇒ late. Processing:
    // 20T08:00 → 27T10:00 is 170 h, minus 97 h paused = 73 h.
    const expected = {
      deskCode: '00004/Q01',
      receivedAt: at('2026-11-20T08:00'),
      dueAt: at('2026-11-25T17:00'),
      channel: 'online',
      supplementRequests: 2,
      rescheduled: false,
      pausedMs: 97 * HOUR,
      pendingSince: null,
      finishedAt: at('2026-11-27T10:00'),
      outcome: 'late',
      processingMs: 73 * HOUR,
      facts: {},
      paidOnline: false,
      complained: false,
    };
    for (const order of permutations(inOrder)) expect(computeDossierState(order)).toEqual(expected);
  });

  it('orders events at the same instant by type, so a request answered at once pauses 0', () => {
    const s = computeDossierState([
      ev('supplement_received', '2026-11-22T09:00'),
      ev('supplement_requested', '2026-11-22T09:00'),
      RECEIVED,
    ]);
    expect(s.pendingSince).toBeNull();
    expect(s.pausedMs).toBe(0);
  });

  it('finished without a received event is unknown', () => {
    const s = computeDossierState([ev('resolved', '2026-11-27T10:00', '00004/Q02')]);
    expect(s.outcome).toBe('unknown');
    expect(s.processingMs).toBeNull();
    expect(s.deskCode).toBe('00004/Q02');
  });

  it('ignores an answer with no pending request, and a repeated request does not restart the pause', () => {
    const s = computeDossierState([
      RECEIVED,
      ev('supplement_received', '2026-11-21T09:00'),
      ev('supplement_requested', '2026-11-22T09:00'),
      ev('supplement_requested', '2026-11-23T09:00'),
      ev('supplement_received', '2026-11-24T09:00'),
    ]);
    expect(s.pausedMs).toBe(48 * HOUR);
    expect(s.supplementRequests).toBe(2);
  });

  it('clips pauses at finishedAt; a request after finishing adds no pause but still counts', () => {
    const answeredLate = computeDossierState([
      RECEIVED,
      ev('supplement_requested', '2026-11-22T09:00'),
      ev('resolved', '2026-11-23T09:00'),
      ev('supplement_received', '2026-11-24T09:00'),
    ]);
    expect(answeredLate.pausedMs).toBe(24 * HOUR);

    const requestedAfter = computeDossierState([
      RECEIVED,
      ev('resolved', '2026-11-23T09:00'),
      ev('supplement_requested', '2026-11-24T09:00'),
    ]);
    expect(requestedAfter.pausedMs).toBe(0);
    expect(requestedAfter.pendingSince).toBeNull();
    expect(requestedAfter.supplementRequests).toBe(1);
    expect(requestedAfter.outcome).toBe('early');
  });

  it('finishes at resolved, else returned, else the earliest rejected/withdrawn', () => {
    const finishedAt = (...events: DossierEvent[]) => computeDossierState([RECEIVED, ...events]).finishedAt;
    expect(finishedAt(ev('returned', '2026-11-21T09:00'), ev('resolved', '2026-11-22T09:00'))).toBe(
      at('2026-11-22T09:00'),
    );
    expect(finishedAt(ev('withdrawn', '2026-11-21T09:00'), ev('returned', '2026-11-22T09:00'))).toBe(
      at('2026-11-22T09:00'),
    );
    expect(finishedAt(ev('withdrawn', '2026-11-23T09:00'), ev('rejected', '2026-11-22T09:00'))).toBe(
      at('2026-11-22T09:00'),
    );
  });

  it('takes the desk of the received event, else of the finishing event, else of the first event', () => {
    expect(
      computeDossierState([
        ev('resolved', '2026-11-23T09:00', 'B'),
        received('2026-11-20T08:00', '2026-11-25T17:00', 'A'),
      ]).deskCode,
    ).toBe('A');
    expect(
      computeDossierState([
        ev('supplement_requested', '2026-11-21T09:00', 'C'),
        ev('resolved', '2026-11-23T09:00', 'B'),
      ]).deskCode,
    ).toBe('B');
    expect(computeDossierState([ev('supplement_requested', '2026-11-21T09:00', 'C')]).deskCode).toBe('C');
  });
});

describe('classifyOpen', () => {
  it('is null for an open dossier without a received event', () => {
    const s = computeDossierState([ev('supplement_requested', '2026-11-21T09:00')]);
    expect(s.finishedAt).toBeNull();
    expect(classifyOpen(s, at('2026-11-22T09:00'))).toBeNull();
  });

  it('is null for a finished dossier', () => {
    expect(classifyOpen(computeDossierState([RECEIVED, ev('resolved', '2026-11-22T09:00')]), 0)).toBeNull();
  });

  it('is overdue only after the deadline, and dueSoon within the 24 h before it', () => {
    const s = computeDossierState([RECEIVED]);
    const deadline = at('2026-11-25T17:00');
    const day = 24 * HOUR;
    const c = (asOf: number) => classifyOpen(s, asOf);
    expect(c(deadline - day - 1)).toEqual({ overdue: false, dueSoon: false, waitingSupplement: false });
    expect(c(deadline - day)).toEqual({ overdue: false, dueSoon: true, waitingSupplement: false });
    expect(c(deadline)).toEqual({ overdue: false, dueSoon: true, waitingSupplement: false });
    expect(c(deadline + 1)).toEqual({ overdue: true, dueSoon: false, waitingSupplement: false });
  });

  it('counts answered pauses in the deadline', () => {
    const s = computeDossierState([
      RECEIVED,
      ev('supplement_requested', '2026-11-22T09:00'),
      ev('supplement_received', '2026-11-22T12:00'),
    ]);
    const deadline = at('2026-11-25T20:00');
    expect(classifyOpen(s, deadline)?.overdue).toBe(false);
    expect(classifyOpen(s, deadline + 1)?.overdue).toBe(true);
  });

  it('is overdue at once after two requests or a rescheduled event', () => {
    const asOf = at('2026-11-21T12:00');
    const twice = computeDossierState([
      RECEIVED,
      ev('supplement_requested', '2026-11-21T09:00'),
      ev('supplement_received', '2026-11-21T10:00'),
      ev('supplement_requested', '2026-11-21T11:00'),
    ]);
    expect(classifyOpen(twice, asOf)).toEqual({ overdue: true, dueSoon: false, waitingSupplement: true });
    const slip = computeDossierState([RECEIVED, ev('rescheduled', '2026-11-21T09:00')]);
    expect(classifyOpen(slip, asOf)?.overdue).toBe(true);
  });
});

const FINISH_FACTS_NONE = {
  eResultReported: 0,
  eResult: 0,
  digitisationReported: 0,
  fullyDigitised: 0,
  onTimeComplained: 0,
};

describe('dossierContributions', () => {
  it('adds one outcome and the processing time at finishedAt (a v1 dossier: no reception bucket)', () => {
    const s = computeDossierState([RECEIVED, ev('resolved', '2026-11-22T09:00')]);
    expect(dossierContributions(s)).toEqual([
      {
        bucketTime: at('2026-11-22T09:00'),
        deskCode: '00004/Q01',
        counts: { early: 1, procMs: 49 * HOUR, ...FINISH_FACTS_NONE },
      },
    ]);
  });

  it('adds unknown with no processing time when the received event is missing', () => {
    const s = computeDossierState([ev('withdrawn', '2026-11-22T09:00')]);
    expect(dossierContributions(s).map((c) => c.counts)).toEqual([
      { unknown: 1, procMs: 0, ...FINISH_FACTS_NONE },
    ]);
  });

  it('is empty while a v1 dossier is open', () => {
    expect(dossierContributions(computeDossierState([RECEIVED]))).toEqual([]);
  });

  it('v1.1: reception facts at receivedAt, result facts, payment and a dislike at finishedAt', () => {
    const facts = { feeBearing: true, inputsDigitised: true, reusedData: false, populationData: true };
    const s = computeDossierState([
      { ...RECEIVED, facts },
      { type: 'paid', time: at('2026-11-21T10:00'), deskCode: '00004/Q01', online: true },
      { type: 'disliked', time: at('2026-11-22T10:00'), deskCode: '00004/Q02' },
      {
        type: 'resolved',
        time: at('2026-11-22T09:00'),
        deskCode: '00004/Q01',
        facts: { electronicResult: true, resultDigitised: true },
      },
    ]);
    expect(dossierContributions(s)).toEqual([
      {
        bucketTime: at('2026-11-20T08:00'),
        deskCode: '00004/Q01',
        counts: {
          feeReported: 1,
          feeBearing: 1,
          feePaidOnline: 1,
          digitisedReported: 1,
          inputsDigitised: 1,
          reuseReported: 1,
          reusedData: 0,
          storeReported: 0,
          citizenStore: 0,
          populationReported: 1,
          populationData: 1,
        },
      },
      {
        bucketTime: at('2026-11-22T09:00'),
        deskCode: '00004/Q01',
        counts: {
          early: 1,
          procMs: 49 * HOUR,
          eResultReported: 1,
          eResult: 1,
          digitisationReported: 1,
          fullyDigitised: 1,
          onTimeComplained: 1,
        },
      },
    ]);
  });

  it('v1.1: a payment at the desk is not online; a late dossier with a dislike is not "on time complained"', () => {
    const s = computeDossierState([
      { ...RECEIVED, facts: { feeBearing: true } },
      { type: 'paid', time: at('2026-11-21T10:00'), deskCode: '00004/Q01', online: false },
      { type: 'disliked', time: at('2026-11-27T10:00'), deskCode: '00004/Q01' },
      { type: 'resolved', time: at('2026-11-27T09:00'), deskCode: '00004/Q01' },
    ]);
    const [reception, finish] = dossierContributions(s);
    expect(reception.counts).toMatchObject({ feeReported: 1, feeBearing: 1, feePaidOnline: 0 });
    expect(finish.counts).toMatchObject({ late: 1, onTimeComplained: 0, eResultReported: 0 });
    // A signal is no finishing event: the dossier finished at its resolution.
    expect(s.finishedAt).toBe(at('2026-11-27T09:00'));
  });
});
