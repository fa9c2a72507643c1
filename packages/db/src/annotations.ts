import type { Annotation, AnnotationList, UnitRef } from '@motcua/contract';
import { mayConfigure } from '@motcua/contract';
import { formatLocal } from '@motcua/metrics';
import { sql } from 'drizzle-orm';
import type { Database } from './client.ts';
import type { Viewer } from './credentials.ts';
import { resolveUnit } from './read.ts';
import type { UnitTree } from './tree.ts';

/** Whether a viewer may add, edit or delete notes on a unit: city and district viewers, in their subtree. */
export function mayAnnotate(tree: UnitTree, viewer: Viewer | null, unitCode: string): boolean {
  if (!viewer || !mayConfigure(viewer.role)) return false;
  return (
    !unitCode.includes('/') && tree.get(unitCode) !== undefined && tree.isWithin(unitCode, viewer.unitCode)
  );
}

/** The unit and every unit below it. */
function subtree(tree: UnitTree, code: string): string[] {
  const out = [code];
  for (let i = 0; i < out.length; i++) for (const c of tree.children(out[i])) out.push(c.code);
  return out;
}

interface NoteRow {
  id: number;
  unit_code: string;
  starts_at: number;
  ends_at: number | null;
  text: string;
  author: string;
  created_at: Date | string;
  updated_at: Date | string;
}

function toAnnotation(tree: UnitTree, viewer: Viewer | null, r: NoteRow): Annotation {
  const u = tree.get(r.unit_code);
  const unit: UnitRef = u
    ? { code: u.code, name: u.name, level: u.level }
    : { code: r.unit_code, name: r.unit_code, level: 'commune' };
  return {
    id: r.id,
    unit,
    from: formatLocal(Number(r.starts_at)),
    to: r.ends_at === null ? null : formatLocal(Number(r.ends_at)),
    text: r.text,
    author: r.author,
    createdAt: formatLocal(new Date(r.created_at).getTime()),
    updatedAt: formatLocal(new Date(r.updated_at).getTime()),
    mayEdit: mayAnnotate(tree, viewer, r.unit_code),
  };
}

/**
 * The notes a unit's charts show: those on the unit and on the units above it (which cover it)
 * and those on units below it, optionally only those meeting [from, to); the earliest first.
 * `viewer` null (a report, which nobody edits): every note with `mayEdit` false.
 */
export async function readAnnotations(
  db: Database,
  tree: UnitTree,
  code: string,
  viewer: Viewer | null,
  range?: { from: number; to: number },
): Promise<AnnotationList | null> {
  const unit = resolveUnit(tree, code);
  if (!unit) return null;
  const [unitCode] = code.split('/');
  const codes = new Set([
    ...tree.ancestors(unitCode).map((u) => u.code),
    ...(code.includes('/') ? [] : subtree(tree, unitCode)),
  ]);
  const rows = await db.query<NoteRow>(
    sql`select id, unit_code, starts_at::float8 as starts_at, ends_at::float8 as ends_at, text, author, created_at, updated_at
      from annotations
      where unit_code = any(${`{${[...codes].join(',')}}`}::text[])
        ${range ? sql`and starts_at < ${range.to} and coalesce(ends_at, starts_at + 1) > ${range.from}` : sql``}
      order by starts_at, id limit 500`,
  );
  return {
    unit,
    mayWrite: mayAnnotate(tree, viewer, code),
    items: rows.map((r) => toAnnotation(tree, viewer, r)),
  };
}

/** The note with this id, or null. */
export async function readAnnotation(
  db: Database,
  tree: UnitTree,
  id: number,
  viewer: Viewer,
): Promise<Annotation | null> {
  const [row] = await db.query<NoteRow>(
    sql`select id, unit_code, starts_at::float8 as starts_at, ends_at::float8 as ends_at, text, author, created_at, updated_at
      from annotations where id = ${id}`,
  );
  return row ? toAnnotation(tree, viewer, row) : null;
}

/** Adds a note on a unit; returns its id. */
export async function createAnnotation(
  db: Database,
  input: { unitCode: string; from: number; to: number | null; text: string; viewer: Viewer },
): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    sql`insert into annotations (unit_code, starts_at, ends_at, text, author, author_viewer)
      values (${input.unitCode}, ${input.from}, ${input.to}, ${input.text}, ${input.viewer.label}, ${input.viewer.id})
      returning id`,
  );
  return row.id;
}

export async function updateAnnotation(
  db: Database,
  id: number,
  input: { from: number; to: number | null; text: string },
): Promise<void> {
  await db.query(
    sql`update annotations set starts_at = ${input.from}, ends_at = ${input.to}, text = ${input.text}, updated_at = now()
      where id = ${id}`,
  );
}

export async function deleteAnnotation(db: Database, id: number): Promise<void> {
  await db.query(sql`delete from annotations where id = ${id}`);
}
