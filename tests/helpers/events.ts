let seq = 0;

/** A valid CloudEvent of the contract, with overrides. */
export function ev(
  unit: string,
  type: string,
  data: Record<string, unknown>,
  opts: { desk?: string; time?: string | number; id?: string } = {},
) {
  const time = opts.time === undefined ? Date.now() - 60_000 : opts.time;
  return {
    specversion: '1.0',
    id: opts.id ?? `t-${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}`,
    source: `/units/${unit}/desks/${opts.desk ?? 'Q01'}`,
    type: `vn.motcua.${type}`,
    time: typeof time === 'number' ? new Date(time).toISOString() : time,
    datacontenttype: 'application/json',
    data,
  };
}

export const rating = (unit: string, level: string, opts: Parameters<typeof ev>[3] = {}, extra = {}) =>
  ev(unit, 'rating.submitted', { level, ...extra }, opts);

export const received = (
  unit: string,
  dossierCode: string,
  dueAt: number,
  opts: Parameters<typeof ev>[3] = {},
  channel = 'direct',
) =>
  ev(
    unit,
    'dossier.received',
    { dossierCode, procedureCode: '1.001612', channel, dueAt: new Date(dueAt).toISOString() },
    opts,
  );

export const dossierEvent = (
  unit: string,
  kind: string,
  dossierCode: string,
  opts: Parameters<typeof ev>[3] = {},
  extra = {},
) => ev(unit, `dossier.${kind}`, { dossierCode, ...extra }, opts);
