import type { PetitionCategory, PetitionStep } from '@motcua/contract';
import { PETITION_DEADLINE_WORKING_DAYS } from '@motcua/contract/values';
import { addWorkingDays, type WorkCalendar } from './calendar.ts';
import type { Contribution } from './outcome.ts';
import type { BucketCounts } from './types.ts';

/**
 * A petition lifecycle step (the event type without `vn.motcua.petition.`), or `repeated`: a later
 * petition named this one in its `repeatOf`.
 */
export type PetitionEventType = PetitionStep | 'repeated';

/** The part of a petition event its rules need. Times are epoch ms. */
export interface PetitionEvent {
  type: PetitionEventType;
  time: number;
  deskCode: string;
  /** `received` only. */
  category?: PetitionCategory;
  /** `received` only: the dossier it is about. */
  dossierCode?: string;
  /** `reacted` only. */
  like?: boolean;
}

/** The deadline `workingDays` working days after `from` (the working-day calendar's rule). */
export type WorkingDeadline = (from: number, workingDays: number) => number;

/** A calendar's deadline rule as a function. */
export const workingDeadline =
  (cal: WorkCalendar): WorkingDeadline =>
  (from, workingDays) =>
    addWorkingDays(cal, from, workingDays);

export interface PetitionState {
  deskCode: string;
  receivedAt: number | null;
  category: PetitionCategory | null;
  dossierCode: string | null;
  /** When its answer is due (15 working days after reception); null before it is received. */
  dueAt: number | null;
  /** The first handling step (rejected, supplement requested or answered) and its time. */
  handledStep: 'rejected' | 'supplement_requested' | 'answered' | null;
  handledAt: number | null;
  /** Whether the first handling step, and a publication after an answer, kept their deadlines. */
  handledOnTime: boolean | null;
  /** Answered or rejected: the petition is closed. */
  closedAt: number | null;
  likes: number;
  dislikes: number;
  repeated: boolean;
}

const HANDLING = ['rejected', 'supplement_requested', 'answered'] as const;
const ORDER: Record<PetitionEventType, number> = {
  received: 0,
  supplement_requested: 1,
  rejected: 2,
  answered: 3,
  published: 4,
  reacted: 5,
  repeated: 6,
};

/** The state of one petition from all its events, in any order; callers remove duplicates. */
export function computePetitionState(events: PetitionEvent[], deadline: WorkingDeadline): PetitionState {
  const sorted = [...events].sort((a, b) => a.time - b.time || ORDER[a.type] - ORDER[b.type]);
  const received = sorted.find((e) => e.type === 'received');
  const handled = sorted.find((e) => (HANDLING as readonly string[]).includes(e.type));
  const closing = sorted.find((e) => e.type === 'answered' || e.type === 'rejected');
  const answered = sorted.find((e) => e.type === 'answered');
  const published = sorted.find((e) => e.type === 'published');
  const receivedAt = received?.time ?? null;

  let handledOnTime: boolean | null = null;
  if (handled && receivedAt !== null) {
    const step = handled.type as (typeof HANDLING)[number];
    handledOnTime = handled.time < deadline(receivedAt, PETITION_DEADLINE_WORKING_DAYS[step]);
    if (handledOnTime && answered && published) {
      handledOnTime = published.time < deadline(answered.time, PETITION_DEADLINE_WORKING_DAYS.published);
    }
  }
  let likes = 0;
  let dislikes = 0;
  for (const e of sorted) {
    if (e.type !== 'reacted') continue;
    if (e.like) likes++;
    else dislikes++;
  }
  return {
    deskCode: received?.deskCode ?? handled?.deskCode ?? sorted[0]?.deskCode ?? '',
    receivedAt,
    category: received?.category ?? null,
    dossierCode: received?.dossierCode ?? null,
    dueAt: receivedAt === null ? null : deadline(receivedAt, PETITION_DEADLINE_WORKING_DAYS.answered),
    handledStep: (handled?.type as PetitionState['handledStep']) ?? null,
    handledAt: handled?.time ?? null,
    handledOnTime,
    closedAt: closing?.time ?? null,
    likes,
    dislikes,
    repeated: sorted.some((e) => e.type === 'repeated'),
  };
}

/**
 * What a petition adds to the rollups: 1 received at its reception; at its first handling step,
 * 1 handled (and on time or not); at its closing, 1 closed (and unsatisfied when its dislikes
 * outnumber its likes, it was handled late, or a later petition repeated it). A petition whose
 * `received` has not arrived is not judged.
 */
export function petitionContributions(state: PetitionState): Contribution[] {
  if (state.receivedAt === null) return [];
  const out: Contribution[] = [
    { bucketTime: state.receivedAt, deskCode: state.deskCode, counts: { petitionsReceived: 1 } },
  ];
  if (state.handledAt !== null) {
    const counts: Partial<BucketCounts> = {
      petitionsHandled: 1,
      petitionsHandledOnTime: state.handledOnTime ? 1 : 0,
    };
    out.push({ bucketTime: state.handledAt, deskCode: state.deskCode, counts });
  }
  if (state.closedAt !== null) {
    const unsatisfied = state.dislikes > state.likes || state.handledOnTime === false || state.repeated;
    const counts: Partial<BucketCounts> = { petitionsClosed: 1, petitionsUnsatisfied: unsatisfied ? 1 : 0 };
    out.push({ bucketTime: state.closedAt, deskCode: state.deskCode, counts });
  }
  return out;
}

/** Whether an unhandled petition is open and overdue at `asOf`; null when handled or not received. */
export function openPetition(state: PetitionState, asOf: number): { overdue: boolean } | null {
  if (state.handledAt !== null || state.dueAt === null) return null;
  return { overdue: asOf >= state.dueAt };
}
