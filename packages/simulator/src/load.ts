import type { DeskEvent } from '@motcua/contract';
import { createCityModel } from './model.ts';
import { dayStartS, formatLocal, localDay } from './time.ts';

export interface LoadStreamOptions {
  /** 5-digit commune code the desk key belongs to. */
  unit: string;
  /** Set when the key is limited to one desk: every event then comes from it. */
  desk?: string | null;
  seed: number;
  /** Goes into every id and dossier code, so separate runs never collide. */
  runId: string;
  now?: () => number;
}

export interface LoadStream {
  /** The next `count` events, stamped with the current time. */
  next(count: number): DeskEvent[];
}

/** Simulated volume per day of the source model; high so one simulated day yields many events. */
const LOAD_SPEED = 20;
/** The simulated calendar starts on a fixed Monday, so a seed always yields the same mix. */
const START_DAY = localDay(Date.parse('2025-01-06T00:00:00+07:00'));

/**
 * Events for one commune at any rate: the model's lifecycles replayed in their order with time
 * compressed, every event stamped "now". Dossiers keep their order of events and their promised
 * processing time (dueAt is shifted with the dossier), but because time is compressed most of them
 * finish early; the point is a realistic mix of types for load, not realistic outcomes.
 */
export function createLoadStream(opts: LoadStreamOptions): LoadStream {
  const now = opts.now ?? Date.now;
  const model = createCityModel({ communes: [{ code: opts.unit }], seed: opts.seed });
  const source = opts.desk ? `/units/${opts.unit}/desks/${opts.desk}` : null;
  const firstDate = formatLocal(dayStartS(START_DAY) * 1000)
    .slice(2, 10)
    .replaceAll('-', '');
  let day = START_DAY;
  let buffer: DeskEvent[] = [];
  let pos = 0;

  /** Dossiers and petitions received before the simulated start would show up as orphan events: skip them. */
  const startedBefore = (code: string) => (code.split('-')[1] ?? '') < firstDate;
  const codesOf = (e: DeskEvent) => {
    const data = e.data as { dossierCode?: string; petitionCode?: string };
    return [data.dossierCode, data.petitionCode];
  };

  function fill(): void {
    const from = dayStartS(day) * 1000;
    day++;
    const events = model.generate(from, dayStartS(day) * 1000, { speed: LOAD_SPEED });
    buffer = buffer
      .slice(pos)
      .concat(events.filter((e) => codesOf(e).every((code) => code === undefined || !startedBefore(code))));
    pos = 0;
  }

  function restamp(e: DeskEvent, nowMs: number, time: string): DeskEvent {
    const shift = nowMs - Date.parse(e.time);
    const moved = (t: string) => formatLocal(Date.parse(t) + shift);
    const out = { ...e, id: `${opts.runId}-${e.id}`, time, source: source ?? e.source } as DeskEvent;
    const data = { ...e.data } as Record<string, unknown>;
    // The subject of a petition event is its petition; of any other, its dossier.
    for (const field of ['dossierCode', 'petitionCode', 'repeatOf']) {
      if (typeof data[field] === 'string') data[field] = `${data[field]}.${opts.runId}`;
    }
    const subject = data.petitionCode ?? data.dossierCode;
    if (typeof subject === 'string') out.subject = subject;
    if (typeof data.dueAt === 'string') data.dueAt = moved(data.dueAt);
    if (typeof data.newDueAt === 'string') data.newDueAt = moved(data.newDueAt);
    out.data = data as DeskEvent['data'];
    return out;
  }

  return {
    next(count: number): DeskEvent[] {
      while (buffer.length - pos < count) fill();
      const nowMs = now();
      const time = formatLocal(nowMs);
      const out = new Array<DeskEvent>(count);
      for (let i = 0; i < count; i++) out[i] = restamp(buffer[pos + i], nowMs, time);
      pos += count;
      return out;
    },
  };
}
