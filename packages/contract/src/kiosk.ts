import { z } from 'zod';
import { CRITERIA, RATING_LEVELS } from './values.ts';

/** What a paired rating kiosk knows of itself: where its ratings go, never its desk key. */
export const kioskInfoSchema = z
  .object({
    label: z.string(),
    unit: z.object({ code: z.string(), name: z.string() }),
    deskCode: z.string(),
    /** Seconds the kiosk waits between two ratings (against button-mashing). */
    minIntervalSeconds: z.number().int().min(0).max(600),
  })
  .meta({ id: 'KioskInfo' });
export type KioskInfo = z.infer<typeof kioskInfoSchema>;

export const kioskPairRequestSchema = z
  .object({
    code: z.string().max(40).meta({ description: 'The one-time pairing code, any case, dashes allowed.' }),
  })
  .meta({ id: 'KioskPairRequest' });

export const kioskPairedSchema = z
  .object({
    token: z
      .string()
      .meta({ description: 'The kiosk’s own token (`mkk_…`), to keep and send as a bearer token.' }),
    kiosk: kioskInfoSchema,
  })
  .meta({ id: 'KioskPaired' });

/** One rating as the kiosk sends it; the server makes it a rating event of the kiosk's desk. */
export const kioskRatingSchema = z
  .object({
    id: z
      .string()
      .meta({ description: 'The event id, made once by the kiosk (a UUID); resending it is harmless.' }),
    time: z.string().meta({ description: 'When the citizen rated, RFC 3339.' }),
    data: z.object({
      level: z.enum(RATING_LEVELS),
      dossierCode: z.string().max(64).optional(),
      criteria: z.partialRecord(z.enum(CRITERIA), z.enum(RATING_LEVELS)).optional(),
      comment: z.string().max(500).optional(),
    }),
  })
  .meta({ id: 'KioskRating' });

export const kioskRatingsRequestSchema = z
  .object({ ratings: z.array(kioskRatingSchema).min(1).max(100) })
  .meta({ id: 'KioskRatingsRequest' });

export const kioskRatingsReportSchema = z
  .object({
    results: z.array(
      z.union([
        z.object({ id: z.string().nullable(), status: z.enum(['accepted', 'duplicate']) }),
        z.object({
          id: z.string().nullable(),
          status: z.literal('rejected'),
          error: z.object({ code: z.literal('invalid_event'), message: z.string() }),
        }),
      ]),
    ),
  })
  .meta({ id: 'KioskRatingsReport' });
