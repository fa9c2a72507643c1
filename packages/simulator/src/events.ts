import type { Channel, RatingLevel } from '@motcua/metrics';
import type { Criterion } from './catalog.ts';

/** CloudEvents `type` values of contract v1. */
export const EVENT_TYPES = {
  received: 'vn.motcua.dossier.received',
  supplementRequested: 'vn.motcua.dossier.supplement_requested',
  supplementReceived: 'vn.motcua.dossier.supplement_received',
  rescheduled: 'vn.motcua.dossier.rescheduled',
  resolved: 'vn.motcua.dossier.resolved',
  returned: 'vn.motcua.dossier.returned',
  rejected: 'vn.motcua.dossier.rejected',
  withdrawn: 'vn.motcua.dossier.withdrawn',
  rating: 'vn.motcua.rating.submitted',
} as const;

export type SimEventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

export interface ReceivedData {
  dossierCode: string;
  procedureCode: string;
  procedureName?: string;
  channel: Channel;
  dueAt: string;
}

export interface RatingData {
  level: RatingLevel;
  dossierCode?: string;
  criteria?: Partial<Record<Criterion, RatingLevel>>;
  officialId?: string;
  comment?: string;
}

interface Envelope<T extends SimEventType, D> {
  specversion: '1.0';
  id: string;
  source: string;
  type: T;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  data: D;
}

type DossierOnly = { dossierCode: string };

/** One event in the CloudEvents 1.0 structured JSON format, ready to POST. */
export type SimEvent =
  | Envelope<'vn.motcua.dossier.received', ReceivedData>
  | Envelope<'vn.motcua.dossier.supplement_requested', DossierOnly & { reason?: string }>
  | Envelope<'vn.motcua.dossier.supplement_received', DossierOnly>
  | Envelope<'vn.motcua.dossier.rescheduled', DossierOnly & { newDueAt: string }>
  | Envelope<'vn.motcua.dossier.resolved', DossierOnly>
  | Envelope<'vn.motcua.dossier.returned', DossierOnly>
  | Envelope<'vn.motcua.dossier.rejected', DossierOnly & { reason?: string }>
  | Envelope<'vn.motcua.dossier.withdrawn', DossierOnly>
  | Envelope<'vn.motcua.rating.submitted', RatingData>;
