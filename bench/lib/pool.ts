import type { DeskEvent } from '@motcua/contract';
import { createLoadStream } from '@motcua/simulator';

/** Stands for the run and cycle in ids and dossier codes; replaced at send time. */
const TOKEN = 'QRUNQ';
const SOURCE_RE = /^\/units\/(\d{5})\/desks\/([A-Za-z0-9_-]{1,32})$/;

/** One event cut around the token, so that a fresh copy costs a string join. */
interface Template {
  json: string[];
  source: string;
  id: string[];
  type: string;
  time: string;
  unit: string;
  desk: string;
  dossier: string[] | null;
  data: string[];
  attributes: string[] | null;
}

/** The columns of `events` for a batch, as the raw-insert baseline sends them. */
export interface EventRows {
  source: string[];
  id: string[];
  type: string[];
  time: string[];
  unit: string[];
  desk: string[];
  dossier: (string | null)[];
  data: string[];
  attributes: (string | null)[];
}

const cut = (s: string) => s.split(TOKEN);

function template(e: DeskEvent): Template {
  const m = SOURCE_RE.exec(e.source);
  if (!m) throw new Error(`pool: bad source ${e.source}`);
  const data = e.data as { dossierCode?: string };
  return {
    json: cut(JSON.stringify(e)),
    source: e.source,
    id: cut(e.id),
    type: e.type,
    time: e.time,
    unit: m[1],
    desk: m[2],
    dossier: data.dossierCode === undefined ? null : cut(data.dossierCode),
    data: cut(JSON.stringify(e.data)),
    attributes: e.subject === undefined ? null : cut(JSON.stringify({ subject: e.subject })),
  };
}

/**
 * Simulator events for a set of communes (the model's lifecycles, as `npm run simulate` sends
 * them), generated once and replayed: each pass renames ids and dossier codes, so every event
 * is new and every dossier gets a whole lifecycle of its own.
 */
export class EventPool {
  readonly #templates: Template[][];
  readonly #next: number[];

  constructor(
    readonly units: string[],
    perUnit: number,
    seed: number,
  ) {
    this.#templates = units.map((unit) =>
      createLoadStream({ unit, seed, runId: TOKEN }).next(perUnit).map(template),
    );
    this.#next = units.map(() => 0);
  }

  #take(unitIndex: number, n: number, runId: string): { t: Template; tag: string }[] {
    const list = this.#templates[unitIndex];
    const out: { t: Template; tag: string }[] = [];
    for (let i = 0; i < n; i++) {
      const seq = this.#next[unitIndex]++;
      out.push({ t: list[seq % list.length], tag: `${runId}c${Math.floor(seq / list.length)}` });
    }
    return out;
  }

  /** The next `n` events of a commune as JSON texts. */
  json(unitIndex: number, n: number, runId: string): string[] {
    return this.#take(unitIndex, n, runId).map(({ t, tag }) => t.json.join(tag));
  }

  /** The next `n` events of a commune as `events` columns. */
  rows(unitIndex: number, n: number, runId: string): EventRows {
    const r: EventRows = {
      source: [],
      id: [],
      type: [],
      time: [],
      unit: [],
      desk: [],
      dossier: [],
      data: [],
      attributes: [],
    };
    for (const { t, tag } of this.#take(unitIndex, n, runId)) {
      r.source.push(t.source);
      r.id.push(t.id.join(tag));
      r.type.push(t.type);
      r.time.push(t.time);
      r.unit.push(t.unit);
      r.desk.push(t.desk);
      r.dossier.push(t.dossier ? t.dossier.join(tag) : null);
      r.data.push(t.data.join(tag));
      r.attributes.push(t.attributes ? t.attributes.join(tag) : null);
    }
    return r;
  }
}
