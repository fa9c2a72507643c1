/**
 * What explains a number (issue 14): targets per unit and figure, dated annotations, and the
 * per-procedure daily rollup the drill-down reads.
 */
import type { TargetFigure } from '@motcua/contract';
import {
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { epochMs } from './events.ts';

/**
 * A target set on a unit for one figure; units below inherit it unless they have their own.
 * `value`: a share 0–1 for rates, points 0–100 for the 766 score.
 */
export const targets = pgTable(
  'targets',
  {
    unitCode: text('unit_code').notNull(),
    figure: text('figure').$type<TargetFigure>().notNull(),
    value: doublePrecision('value').notNull(),
    setBy: text('set_by').notNull(),
    setByViewer: integer('set_by_viewer').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.unitCode, t.figure] })],
);

/** A dated note on a unit and everything below it: a point (`endsAt` null) or a range [startsAt, endsAt). */
export const annotations = pgTable(
  'annotations',
  {
    id: serial('id').primaryKey(),
    unitCode: text('unit_code').notNull(),
    startsAt: epochMs('starts_at').notNull(),
    endsAt: epochMs('ends_at'),
    text: text('text').notNull(),
    author: text('author').notNull(),
    authorViewer: integer('author_viewer').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('annotations_unit_idx').on(t.unitCode, t.startsAt)],
);

/**
 * Additive counts per (commune, desk, time bucket, procedure code) at the three grains of
 * `rollups` ('m', 'h', 'd' local day, day rows per commune with `desk_code` '' as there), kept by
 * the write path like it, so any window the tiles answer is answered here from the same buckets:
 * what the drill-down by procedure sums.
 * `procedure_code` '' = not known (a dossier finished or rated without its reception stored, or
 * a rating naming no dossier).
 */
export const procedureRollups = pgTable(
  'procedure_rollups',
  {
    grain: text('grain').$type<'m' | 'h' | 'd'>().notNull(),
    unitCode: text('unit_code').notNull(),
    bucketStart: epochMs('bucket_start').notNull(),
    procedureCode: text('procedure_code').notNull(),
    deskCode: text('desk_code').notNull(),
    received: integer('received').notNull().default(0),
    early: integer('early').notNull().default(0),
    onTime: integer('on_time').notNull().default(0),
    late: integer('late').notNull().default(0),
    unknown: integer('unknown').notNull().default(0),
    verySatisfied: integer('very_satisfied').notNull().default(0),
    satisfied: integer('satisfied').notNull().default(0),
    unsatisfied: integer('unsatisfied').notNull().default(0),
    /** v1.1, at reception: dossiers whose fee fact was reported, fee-bearing ones, and those paid online (3.5b). */
    feeReported: integer('fee_reported').notNull().default(0),
    feeBearing: integer('fee_bearing').notNull().default(0),
    feePaidOnline: integer('fee_paid_online').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.grain, t.unitCode, t.bucketStart, t.procedureCode, t.deskCode] })],
);

/** Procedure names as desks sent them (`procedureName` of a reception), latest wins. */
export const procedures = pgTable('procedures', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
});

/**
 * 766 criterion 3.5b's facts kept for every unit at or above the commune (commune, district,
 * city, province, nation), per minute, local hour and day: the fee-bearing dossiers received of a
 * procedure, and those of them paid online. 3.5b counts *distinct* procedures, which do not add
 * up over communes, so a district's or the city's window cannot be summed from its communes'
 * rows cheaply (the city's 30 days were 63 k procedure rows); here it reads its own few rows,
 * minutes at the window's edges included (migration 0019). Written with `procedure_rollups`, by
 * the same deltas.
 */
export const feeProcedures = pgTable(
  'fee_procedures',
  {
    grain: text('grain').$type<'m' | 'h' | 'd'>().notNull(),
    unitCode: text('unit_code').notNull(),
    bucketStart: epochMs('bucket_start').notNull(),
    procedureCode: text('procedure_code').notNull(),
    feeBearing: integer('fee_bearing').notNull().default(0),
    paidOnline: integer('paid_online').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.grain, t.unitCode, t.bucketStart, t.procedureCode] })],
);
