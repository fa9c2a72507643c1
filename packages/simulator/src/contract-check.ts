/**
 * A small structural check of contract v1, for tests. The ingest has the authoritative validator;
 * this one exists so the simulator's tests do not depend on the ingest app.
 */

const SOURCE_RE = /^\/units\/\d{5}\/desks\/[A-Za-z0-9_-]{1,32}$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const LEVELS = ['very_satisfied', 'satisfied', 'unsatisfied'];
const CRITERIA = ['time', 'attitude', 'guidance', 'visits', 'transparency'];
const ATTRIBUTES = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'datacontenttype',
  'data',
]);

/** Allowed `data` fields per type; `true` marks a required one. */
const DATA_FIELDS: Record<string, Record<string, boolean>> = {
  'vn.motcua.dossier.received': {
    dossierCode: true,
    procedureCode: true,
    procedureName: false,
    channel: true,
    dueAt: true,
  },
  'vn.motcua.dossier.supplement_requested': { dossierCode: true, reason: false },
  'vn.motcua.dossier.supplement_received': { dossierCode: true },
  'vn.motcua.dossier.rescheduled': { dossierCode: true, newDueAt: true },
  'vn.motcua.dossier.resolved': { dossierCode: true },
  'vn.motcua.dossier.returned': { dossierCode: true },
  'vn.motcua.dossier.rejected': { dossierCode: true, reason: false },
  'vn.motcua.dossier.withdrawn': { dossierCode: true },
  'vn.motcua.rating.submitted': {
    level: true,
    dossierCode: false,
    criteria: false,
    officialId: false,
    comment: false,
  },
};

const isTime = (v: unknown) => typeof v === 'string' && RFC3339_RE.test(v) && !Number.isNaN(Date.parse(v));
const isText = (v: unknown, min: number, max: number) =>
  typeof v === 'string' && v.length >= min && v.length <= max;

/** Problems with one event, each naming the field; empty when the event is valid. */
export function contractProblems(event: unknown): string[] {
  const problems: string[] = [];
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return ['event: not an object'];
  const e = event as Record<string, unknown>;
  for (const key of Object.keys(e)) if (!ATTRIBUTES.has(key)) problems.push(`${key}: unexpected attribute`);
  if (e.specversion !== '1.0') problems.push('specversion');
  if (!isText(e.id, 1, 128)) problems.push('id');
  if (typeof e.source !== 'string' || !SOURCE_RE.test(e.source)) problems.push('source');
  if (!isTime(e.time)) problems.push('time');
  if (e.datacontenttype !== undefined && e.datacontenttype !== 'application/json')
    problems.push('datacontenttype');
  const fields = typeof e.type === 'string' ? DATA_FIELDS[e.type] : undefined;
  if (!fields) return [...problems, 'type'];
  const data = e.data as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return [...problems, 'data'];
  for (const key of Object.keys(data)) if (!(key in fields)) problems.push(`data.${key}: not allowed`);
  for (const [key, required] of Object.entries(fields)) {
    if (required && data[key] === undefined) problems.push(`data.${key}: missing`);
  }
  if (data.dossierCode !== undefined && !isText(data.dossierCode, 1, 64)) problems.push('data.dossierCode');
  if (e.subject !== undefined && e.subject !== data.dossierCode)
    problems.push('subject: differs from dossierCode');
  if (data.procedureCode !== undefined && !isText(data.procedureCode, 1, 64))
    problems.push('data.procedureCode');
  if (data.procedureName !== undefined && !isText(data.procedureName, 1, 500))
    problems.push('data.procedureName');
  if (data.channel !== undefined && !['direct', 'online', 'postal'].includes(data.channel as string)) {
    problems.push('data.channel');
  }
  for (const key of ['dueAt', 'newDueAt'])
    if (data[key] !== undefined && !isTime(data[key])) problems.push(`data.${key}`);
  for (const key of ['reason', 'comment']) {
    if (data[key] !== undefined && !isText(data[key], 0, 500)) problems.push(`data.${key}`);
  }
  if (data.officialId !== undefined && !isText(data.officialId, 1, 64)) problems.push('data.officialId');
  if (data.level !== undefined && !LEVELS.includes(data.level as string)) problems.push('data.level');
  if (data.criteria !== undefined) {
    const c = data.criteria as Record<string, unknown>;
    if (c === null || typeof c !== 'object' || Array.isArray(c)) problems.push('data.criteria');
    else
      for (const [k, v] of Object.entries(c)) {
        if (!CRITERIA.includes(k) || !LEVELS.includes(v as string)) problems.push(`data.criteria.${k}`);
      }
  }
  return problems;
}
