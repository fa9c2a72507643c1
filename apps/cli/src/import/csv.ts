/**
 * History as CSV: one event per record, RFC 4180 quoting, a header row naming the columns
 * (docs/import.md has the mapping). Each record becomes the CloudEvent a desk would have posted,
 * which then goes through the contract's `validateEvent` like any other.
 */
import { DATA_SCHEMAS, type EventType } from '@motcua/contract';

/**
 * Splits one CSV record. Returns null when a quoted field is still open at the end of `text`
 * (the record goes on on the next line).
 */
export function splitCsvRecord(text: string): string[] | null {
  if (!text.includes('"')) return text.split(',');
  const fields: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
    i++;
  }
  if (quoted) return null;
  fields.push(field);
  return fields;
}

export class CsvHeaderError extends Error {}

/** Checks a header row; the mapping rules are in docs/import.md. */
export function checkCsvHeader(header: string[]): void {
  const names = new Set(header);
  if (names.size !== header.length) throw new CsvHeaderError('CSV header: a column name appears twice');
  for (const need of ['id', 'type', 'time']) {
    if (!names.has(need)) throw new CsvHeaderError(`CSV header: column ${need} is required`);
  }
  if (!names.has('source') && !(names.has('unit') && names.has('desk'))) {
    throw new CsvHeaderError('CSV header: column source (or both unit and desk) is required');
  }
}

/** True when `data.<field>` of this type is a boolean in the contract (the v1.1 facts). */
function isBooleanField(type: string, field: string): boolean {
  const schema = (DATA_SCHEMAS as Record<string, { shape?: Record<string, unknown> }>)[type as EventType];
  let f = schema?.shape?.[field] as { def?: { type?: string; innerType?: unknown } } | undefined;
  while (f?.def?.type === 'optional') f = f.def.innerType as typeof f;
  return f?.def?.type === 'boolean';
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
  let here = target;
  for (const key of path.slice(0, -1)) {
    const next = here[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) here[key] = {};
    here = here[key] as Record<string, unknown>;
  }
  here[path[path.length - 1]] = value;
}

/**
 * One CSV record as a CloudEvent object. An empty cell is an absent field. `data` (a JSON
 * object) and `data.<field>` / `data.<field>.<key>` columns make up `data`; `true`/`false` become
 * booleans where the contract wants one. Throws with the column's name when a cell cannot be read.
 */
export function csvRecordToEvent(header: string[], fields: string[]): Record<string, unknown> {
  if (fields.length !== header.length) {
    throw new Error(`record: ${fields.length} fields, the header has ${header.length}`);
  }
  const event: Record<string, unknown> = { specversion: '1.0' };
  let data: Record<string, unknown> = {};
  const dataCells: [string[], string][] = [];
  let unit: string | undefined;
  let desk: string | undefined;
  for (let i = 0; i < header.length; i++) {
    const name = header[i];
    const cell = fields[i];
    if (cell === '') continue;
    if (name === 'data') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(cell);
      } catch {
        throw new Error('data: not valid JSON');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error('data: expected a JSON object');
      }
      data = parsed as Record<string, unknown>;
    } else if (name.startsWith('data.')) dataCells.push([name.slice(5).split('.'), cell]);
    else if (name === 'unit') unit = cell;
    else if (name === 'desk') desk = cell;
    else event[name] = cell;
  }
  if (event.source === undefined && unit !== undefined && desk !== undefined) {
    event.source = `/units/${unit}/desks/${desk}`;
  }
  const type = typeof event.type === 'string' ? event.type : '';
  for (const [path, cell] of dataCells) {
    const value =
      path.length === 1 && isBooleanField(type, path[0]) && (cell === 'true' || cell === 'false')
        ? cell === 'true'
        : cell;
    setPath(data, path, value);
  }
  event.data = data;
  return event;
}
