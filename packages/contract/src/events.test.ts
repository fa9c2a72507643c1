import { assert, describe, expect, it } from 'vitest';
import type { ValidatedEvent } from './events.ts';
import { EVENT_TYPES, type EventType, MAX_FUTURE_MS, validateEvent } from './events.ts';

/** The server clock of every test: 08:00 in Hà Nội (UTC+7). */
const NOW = Date.parse('2026-03-01T01:00:00Z');
const TIME = '2026-03-01T07:59:00+07:00';
const DUE = '2026-03-08T17:00:00+07:00';
const SOURCE = '/units/00004/desks/Q01';

const DOSSIER_TYPES = EVENT_TYPES.filter((t) => t.startsWith('vn.motcua.dossier.'));
const RATING = 'vn.motcua.rating.submitted';
const RECEIVED = 'vn.motcua.dossier.received';
const LEVELS_MESSAGE = 'expected one of very_satisfied, satisfied, unsatisfied';
const TIMESTAMP_MESSAGE = 'expected an RFC 3339 timestamp with offset';

/** The smallest valid `data` of each type. */
const DATA: Record<EventType, Record<string, unknown>> = {
  'vn.motcua.dossier.received': {
    dossierCode: '000.00.04.H26-250301-0012',
    procedureCode: '1.001612',
    channel: 'direct',
    dueAt: DUE,
  },
  'vn.motcua.dossier.supplement_requested': { dossierCode: '000.00.04.H26-250301-0012' },
  'vn.motcua.dossier.supplement_received': { dossierCode: '000.00.04.H26-250301-0012' },
  'vn.motcua.dossier.rescheduled': { dossierCode: '000.00.04.H26-250301-0012', newDueAt: DUE },
  'vn.motcua.dossier.resolved': { dossierCode: '000.00.04.H26-250301-0012' },
  'vn.motcua.dossier.returned': { dossierCode: '000.00.04.H26-250301-0012' },
  'vn.motcua.dossier.rejected': { dossierCode: '000.00.04.H26-250301-0012' },
  'vn.motcua.dossier.withdrawn': { dossierCode: '000.00.04.H26-250301-0012' },
  'vn.motcua.dossier.paid': { dossierCode: '000.00.04.H26-250301-0012', method: 'online' },
  'vn.motcua.rating.submitted': { level: 'satisfied' },
  'vn.motcua.petition.received': { petitionCode: 'PA-0001', category: 'procedure' },
  'vn.motcua.petition.rejected': { petitionCode: 'PA-0001' },
  'vn.motcua.petition.supplement_requested': { petitionCode: 'PA-0001' },
  'vn.motcua.petition.answered': { petitionCode: 'PA-0001' },
  'vn.motcua.petition.published': { petitionCode: 'PA-0001' },
  'vn.motcua.petition.reacted': { petitionCode: 'PA-0001', reaction: 'like' },
};

/** A valid event of `type`, with attributes replaced by `overrides`. */
function event(type: EventType = RECEIVED, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: 'e-1',
    source: SOURCE,
    type,
    time: TIME,
    datacontenttype: 'application/json',
    data: { ...DATA[type] },
    ...overrides,
  };
}

/** A valid event of `type` whose `data` has `changes` merged in (undefined removes a field). */
function withData(type: EventType, changes: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = { ...DATA[type], ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete data[k];
  return event(type, { data });
}

function withoutAttribute(name: string): Record<string, unknown> {
  const e = event();
  delete e[name];
  return e;
}

function rejection(raw: unknown): string {
  const result = validateEvent(raw, NOW);
  if (result.ok) assert.fail(`expected a rejection, got ${JSON.stringify(result.event)}`);
  return result.message;
}

function accepted(raw: unknown): ValidatedEvent {
  const result = validateEvent(raw, NOW);
  if (!result.ok) assert.fail(`expected acceptance, got "${result.message}"`);
  return result.event;
}

describe('validateEvent: valid events', () => {
  it.each(EVENT_TYPES)('accepts %s with its unit, desk, dossier and time', (type) => {
    expect(accepted(event(type))).toEqual({
      source: SOURCE,
      id: 'e-1',
      type,
      time: Date.parse('2026-03-01T00:59:00Z'),
      unitCode: '00004',
      deskCode: 'Q01',
      // A rating names no dossier here, nor does a petition (it may name one, see below).
      dossierCode:
        type === RATING || type.startsWith('vn.motcua.petition.') ? null : '000.00.04.H26-250301-0012',
      data: DATA[type],
      attributes: null,
    });
  });

  it('takes unit and desk from the source', () => {
    const e = accepted(event(RECEIVED, { source: '/units/27280/desks/Mot-cua_2' }));
    expect(e).toMatchObject({ unitCode: '27280', deskCode: 'Mot-cua_2' });
  });

  it('v1.1: keeps the dossier a petition is about, and checks subject against the petition', () => {
    const linked = withData('vn.motcua.petition.received', { dossierCode: 'HS-9', repeatOf: 'PA-0000' });
    expect(accepted(linked).dossierCode).toBe('HS-9');
    expect(accepted({ ...event('vn.motcua.petition.answered'), subject: 'PA-0001' }).id).toBe('e-1');
    expect(rejection({ ...event('vn.motcua.petition.answered'), subject: 'HS-9' })).toBe(
      'subject: must equal data.petitionCode',
    );
  });

  it('v1.1: refuses a petition category, payment method or reaction outside its list, and a non-boolean fact', () => {
    expect(rejection(withData('vn.motcua.petition.received', { category: 'tax' }))).toBe(
      'data.category: expected one of procedure, staff, other',
    );
    expect(rejection(withData('vn.motcua.dossier.paid', { method: 'cash' }))).toBe(
      'data.method: expected one of online, desk',
    );
    expect(rejection(withData('vn.motcua.petition.reacted', { reaction: 'love' }))).toBe(
      'data.reaction: expected one of like, dislike',
    );
    expect(rejection(withData(RECEIVED, { feeBearing: 'yes' }))).toBe(
      'data.feeBearing: expected true or false',
    );
    expect(rejection(withData('vn.motcua.dossier.resolved', { electronicResult: 1 }))).toBe(
      'data.electronicResult: expected true or false',
    );
  });

  it('v1.1: accepts every reception and result fact', () => {
    const facts = {
      feeBearing: true,
      inputsDigitised: false,
      reusedData: true,
      citizenStore: false,
      populationData: true,
    };
    expect(accepted(withData(RECEIVED, facts)).data).toMatchObject(facts);
    const result = { electronicResult: true, resultDigitised: false };
    expect(accepted(withData('vn.motcua.dossier.resolved', result)).data).toMatchObject(result);
  });

  it('keeps a rating dossierCode', () => {
    expect(accepted(withData(RATING, { dossierCode: 'HS-9' })).dossierCode).toBe('HS-9');
  });

  it('accepts a rating with every optional field', () => {
    const data = {
      level: 'very_satisfied',
      dossierCode: 'HS-9',
      criteria: {
        time: 'satisfied',
        attitude: 'very_satisfied',
        guidance: 'unsatisfied',
        visits: 'satisfied',
        transparency: 'satisfied',
      },
      officialId: 'CB-0012',
      comment: 'Cán bộ hướng dẫn tận tình',
    };
    expect(accepted(event(RATING, { data })).data).toEqual(data);
  });

  it('accepts a rating with only some of the criteria', () => {
    const e = accepted(withData(RATING, { criteria: { attitude: 'very_satisfied', time: 'unsatisfied' } }));
    expect(e.data.criteria).toEqual({ attitude: 'very_satisfied', time: 'unsatisfied' });
  });

  it.each(['very_satisfied', 'satisfied', 'unsatisfied'])('accepts rating level %s', (level) => {
    expect(accepted(withData(RATING, { level })).data.level).toBe(level);
  });

  it.each(['direct', 'online', 'postal'])('accepts channel %s', (channel) => {
    expect(accepted(withData(RECEIVED, { channel })).data.channel).toBe(channel);
  });

  it('accepts an optional procedureName', () => {
    const e = accepted(withData(RECEIVED, { procedureName: 'Đăng ký khai sinh' }));
    expect(e.data.procedureName).toBe('Đăng ký khai sinh');
  });

  it('accepts an event without datacontenttype', () => {
    expect(accepted(withoutAttribute('datacontenttype')).id).toBe('e-1');
  });

  it('accepts the longest id, desk, dossierCode, procedureCode, officialId, comment and reason', () => {
    expect(accepted(event(RECEIVED, { id: 'i'.repeat(128) })).id).toHaveLength(128);
    expect(
      accepted(event(RECEIVED, { source: `/units/00004/desks/${'D'.repeat(32)}` })).deskCode,
    ).toHaveLength(32);
    expect(accepted(withData(RECEIVED, { dossierCode: 'x'.repeat(64) })).dossierCode).toHaveLength(64);
    expect(accepted(withData(RECEIVED, { procedureCode: 'p'.repeat(64) })).data.procedureCode).toHaveLength(
      64,
    );
    expect(accepted(withData(RATING, { officialId: 'o'.repeat(64) })).data.officialId).toHaveLength(64);
    // Precomposed Vietnamese letters are one character each.
    expect(accepted(withData(RATING, { comment: 'ồ'.repeat(500) })).data.comment).toHaveLength(500);
    const reason = 'r'.repeat(500);
    expect(accepted(withData('vn.motcua.dossier.supplement_requested', { reason })).data.reason).toBe(reason);
    expect(accepted(withData('vn.motcua.dossier.rejected', { reason })).data.reason).toBe(reason);
  });
});

describe('validateEvent: the event itself', () => {
  it.each([
    ['null', null],
    ['an array', [{ specversion: '1.0' }]],
    ['a string', 'event'],
    ['a number', 42],
  ])('rejects %s as not an object', (_what, raw) => {
    expect(rejection(raw)).toBe('event: expected a JSON object');
  });
});

describe('validateEvent: specversion', () => {
  it.each(['0.3', '1', 1, '1.0 '])('rejects specversion %j', (specversion) => {
    expect(rejection(event(RECEIVED, { specversion }))).toBe('specversion: expected "1.0"');
  });

  it('rejects a missing specversion', () => {
    expect(rejection(withoutAttribute('specversion'))).toBe('specversion: expected "1.0"');
  });
});

describe('validateEvent: id', () => {
  it('rejects an empty id', () => {
    expect(rejection(event(RECEIVED, { id: '' }))).toBe('id: must not be empty');
  });

  it('rejects an id of 129 characters', () => {
    expect(rejection(event(RECEIVED, { id: 'i'.repeat(129) }))).toBe('id: at most 128 characters');
  });

  it('rejects a missing or non-string id', () => {
    expect(rejection(withoutAttribute('id'))).toBe('id: expected a string');
    expect(rejection(event(RECEIVED, { id: 17 }))).toBe('id: expected a string');
  });
});

describe('validateEvent: source', () => {
  const message = 'source: expected /units/{5-digit unitCode}/desks/{deskCode}';

  it.each([
    ['a 4-digit unit code', '/units/0004/desks/Q01'],
    ['a 6-digit unit code', '/units/000045/desks/Q01'],
    ['a unit code with a letter', '/units/0000a/desks/Q01'],
    ['a desk with a space', '/units/00004/desks/Q 01'],
    ['a desk with a dot', '/units/00004/desks/Q.01'],
    ['a desk with a Vietnamese letter', '/units/00004/desks/Quầy1'],
    ['a desk of 33 characters', `/units/00004/desks/${'D'.repeat(33)}`],
    ['an empty desk', '/units/00004/desks/'],
    ['no desk', '/units/00004'],
    ['a trailing slash', '/units/00004/desks/Q01/'],
    ['no leading slash', 'units/00004/desks/Q01'],
    ['a URL', 'https://example.vn/units/00004/desks/Q01'],
  ])('rejects %s', (_what, source) => {
    expect(rejection(event(RECEIVED, { source }))).toBe(message);
  });

  it('rejects a missing or non-string source', () => {
    expect(rejection(withoutAttribute('source'))).toBe('source: expected a string');
    expect(rejection(event(RECEIVED, { source: 4 }))).toBe('source: expected a string');
  });
});

describe('validateEvent: type', () => {
  it.each(['vn.motcua.dossier.lost', 'VN.MOTCUA.RATING.SUBMITTED', 'com.example.object.created', ''])(
    'rejects type %j',
    (type) => {
      expect(rejection(event(RECEIVED, { type }))).toBe(`type: expected one of ${EVENT_TYPES.join(', ')}`);
    },
  );
});

describe('validateEvent: time', () => {
  it.each([
    ['without an offset', '2026-03-01T07:59:00'],
    ['a date only', '2026-03-01'],
    ['February 30', '2026-02-30T07:59:00+07:00'],
    ['a space for T', '2026-03-01 07:59:00+07:00'],
    ['an offset without colon', '2026-03-01T07:59:00+0700'],
    ['words', 'yesterday'],
    ['epoch milliseconds', Date.parse('2026-03-01T00:59:00Z')],
  ])('rejects a time %s', (_what, time) => {
    expect(rejection(event(RECEIVED, { time }))).toBe(`time: ${TIMESTAMP_MESSAGE}`);
  });

  it('rejects a missing time', () => {
    expect(rejection(withoutAttribute('time'))).toBe(`time: ${TIMESTAMP_MESSAGE}`);
  });

  it('rejects a time more than 5 minutes in the future', () => {
    const time = new Date(NOW + MAX_FUTURE_MS + 1).toISOString();
    expect(rejection(event(RECEIVED, { time }))).toBe('time: more than 5 minutes in the future');
    expect(rejection(event(RECEIVED, { time: '2026-03-01T08:05:01+07:00' }))).toBe(
      'time: more than 5 minutes in the future',
    );
  });

  it('accepts a time exactly 5 minutes in the future, in any offset', () => {
    expect(accepted(event(RECEIVED, { time: new Date(NOW + MAX_FUTURE_MS).toISOString() })).time).toBe(
      NOW + MAX_FUTURE_MS,
    );
    expect(accepted(event(RECEIVED, { time: '2026-03-01T08:05:00+07:00' })).time).toBe(NOW + MAX_FUTURE_MS);
    expect(accepted(event(RECEIVED, { time: '2026-02-28T20:05:00-05:00' })).time).toBe(NOW + MAX_FUTURE_MS);
  });

  it('accepts a very old time (backfill)', () => {
    expect(accepted(event(RECEIVED, { time: '1999-01-01T00:00:00+07:00' })).time).toBe(
      Date.parse('1998-12-31T17:00:00Z'),
    );
  });
});

describe('validateEvent: datacontenttype', () => {
  it.each(['text/plain', 'application/xml', 'application/cloudevents+json', 'APPLICATION/JSON '])(
    'rejects datacontenttype %j',
    (datacontenttype) => {
      expect(rejection(event(RECEIVED, { datacontenttype }))).toBe(
        'datacontenttype: expected application/json if given',
      );
    },
  );
});

describe('validateEvent: subject', () => {
  it('rejects a subject other than data.dossierCode', () => {
    expect(rejection(event(RECEIVED, { subject: 'HS-other' }))).toBe('subject: must equal data.dossierCode');
  });

  it('rejects a subject on a rating without dossierCode', () => {
    expect(rejection(event(RATING, { subject: 'HS-1' }))).toBe('subject: must equal data.dossierCode');
  });

  it('accepts a subject equal to data.dossierCode and keeps it', () => {
    const e = accepted(event(RECEIVED, { subject: '000.00.04.H26-250301-0012' }));
    expect(e.attributes).toEqual({ subject: '000.00.04.H26-250301-0012' });
    const r = accepted(event(RATING, { subject: 'HS-9', data: { level: 'satisfied', dossierCode: 'HS-9' } }));
    expect(r.dossierCode).toBe('HS-9');
  });
});

describe('validateEvent: data', () => {
  it.each([
    ['null', null],
    ['a string', '{"level":"satisfied"}'],
    ['an array', []],
    ['a number', 5],
  ])('rejects data that is %s', (_what, data) => {
    expect(rejection(event(RECEIVED, { data }))).toBe('data: expected an object');
  });

  it('rejects a missing data', () => {
    expect(rejection(withoutAttribute('data'))).toBe('data: expected an object');
  });
});

describe('validateEvent: dossierCode', () => {
  it.each(DOSSIER_TYPES)('%s requires data.dossierCode', (type) => {
    expect(rejection(withData(type, { dossierCode: undefined }))).toBe('data.dossierCode: expected a string');
  });

  it.each(DOSSIER_TYPES)('%s rejects an empty data.dossierCode', (type) => {
    expect(rejection(withData(type, { dossierCode: '' }))).toBe('data.dossierCode: must not be empty');
  });

  it.each(DOSSIER_TYPES)('%s rejects a data.dossierCode of 65 characters', (type) => {
    expect(rejection(withData(type, { dossierCode: 'x'.repeat(65) }))).toBe(
      'data.dossierCode: at most 64 characters',
    );
  });

  it.each(DOSSIER_TYPES)('%s rejects a non-string data.dossierCode', (type) => {
    expect(rejection(withData(type, { dossierCode: 12 }))).toBe('data.dossierCode: expected a string');
  });

  it('checks an optional rating dossierCode the same way', () => {
    expect(rejection(withData(RATING, { dossierCode: '' }))).toBe('data.dossierCode: must not be empty');
    expect(rejection(withData(RATING, { dossierCode: 'x'.repeat(65) }))).toBe(
      'data.dossierCode: at most 64 characters',
    );
  });
});

describe('validateEvent: dossier.received', () => {
  it('requires procedureCode of 1–64 characters', () => {
    expect(rejection(withData(RECEIVED, { procedureCode: undefined }))).toBe(
      'data.procedureCode: expected a string',
    );
    expect(rejection(withData(RECEIVED, { procedureCode: '' }))).toBe(
      'data.procedureCode: must not be empty',
    );
    expect(rejection(withData(RECEIVED, { procedureCode: 'p'.repeat(65) }))).toBe(
      'data.procedureCode: at most 64 characters',
    );
  });

  it.each([undefined, 'email', 'Direct', 1])('rejects channel %j', (channel) => {
    expect(rejection(withData(RECEIVED, { channel }))).toBe(
      'data.channel: expected one of direct, online, postal',
    );
  });

  it.each([undefined, '2026-03-08', '2026-03-08T17:00:00', 'next Friday', 1772964000000])(
    'rejects dueAt %j',
    (dueAt) => {
      expect(rejection(withData(RECEIVED, { dueAt }))).toBe(`data.dueAt: ${TIMESTAMP_MESSAGE}`);
    },
  );
});

describe('validateEvent: dossier.rescheduled', () => {
  it.each([undefined, '2026-03-10', 'tomorrow'])('rejects newDueAt %j', (newDueAt) => {
    expect(rejection(withData('vn.motcua.dossier.rescheduled', { newDueAt }))).toBe(
      `data.newDueAt: ${TIMESTAMP_MESSAGE}`,
    );
  });
});

describe('validateEvent: reasons', () => {
  it.each(['vn.motcua.dossier.supplement_requested', 'vn.motcua.dossier.rejected'] as const)(
    '%s rejects a reason over 500 characters or not a string',
    (type) => {
      expect(rejection(withData(type, { reason: 'r'.repeat(501) }))).toBe(
        'data.reason: at most 500 characters',
      );
      expect(rejection(withData(type, { reason: 3 }))).toBe('data.reason: expected a string');
    },
  );
});

describe('validateEvent: rating.submitted', () => {
  it.each([undefined, 'happy', 'SATISFIED', 5])('rejects level %j', (level) => {
    expect(rejection(withData(RATING, { level }))).toBe(`data.level: ${LEVELS_MESSAGE}`);
  });

  it('rejects an unknown criterion, naming it', () => {
    expect(rejection(withData(RATING, { criteria: { speed: 'satisfied' } }))).toBe(
      'data.criteria.speed: field not allowed',
    );
  });

  it('rejects a criterion with a value that is not a level, naming the criterion', () => {
    expect(rejection(withData(RATING, { criteria: { attitude: 'great' } }))).toBe(
      `data.criteria.attitude: ${LEVELS_MESSAGE}`,
    );
    const all = { time: 'satisfied', attitude: 'satisfied', guidance: 'satisfied', visits: 'satisfied' };
    expect(rejection(withData(RATING, { criteria: { ...all, transparency: 3 } }))).toBe(
      `data.criteria.transparency: ${LEVELS_MESSAGE}`,
    );
  });

  it.each([
    ['a string', 'satisfied'],
    ['an array', ['satisfied']],
    ['null', null],
  ])('rejects criteria that is %s', (_what, criteria) => {
    expect(rejection(withData(RATING, { criteria }))).toBe(
      'data.criteria: expected an object of criterion → level',
    );
  });

  it('rejects an officialId over 64 characters', () => {
    expect(rejection(withData(RATING, { officialId: 'o'.repeat(65) }))).toBe(
      'data.officialId: at most 64 characters',
    );
  });

  it('rejects a comment over 500 characters or not a string', () => {
    expect(rejection(withData(RATING, { comment: 'ồ'.repeat(501) }))).toBe(
      'data.comment: at most 500 characters',
    );
    expect(rejection(withData(RATING, { comment: { text: 'hi' } }))).toBe('data.comment: expected a string');
  });

  it('rejects a reason, which only dossier types carry', () => {
    expect(rejection(withData(RATING, { reason: 'chậm' }))).toBe('data.reason: field not allowed');
  });
});

describe('validateEvent: personal data and unlisted fields', () => {
  const cases = EVENT_TYPES.flatMap((type) =>
    ['citizenName', 'phone', 'idNumber', 'address'].map((field) => [type, field] as const),
  );

  it.each(cases)('%s rejects data.%s', (type, field) => {
    expect(rejection(withData(type, { [field]: 'Nguyễn Văn A' }))).toBe(`data.${field}: field not allowed`);
  });

  it('rejects fields of another type', () => {
    expect(rejection(withData('vn.motcua.dossier.resolved', { channel: 'direct' }))).toBe(
      'data.channel: field not allowed',
    );
    expect(rejection(withData('vn.motcua.dossier.withdrawn', { newDueAt: DUE }))).toBe(
      'data.newDueAt: field not allowed',
    );
  });
});

describe('validateEvent: extension attributes', () => {
  it('keeps extension attributes, subject and dataschema in attributes', () => {
    const e = accepted(
      event(RECEIVED, {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        deskseq: 42,
        offline: true,
        note: null,
        subject: '000.00.04.H26-250301-0012',
        dataschema: 'https://motcua.example.vn/schemas/received.json',
        [`a${'1'.repeat(19)}`]: 'twenty characters',
      }),
    );
    expect(e.attributes).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      deskseq: 42,
      offline: true,
      note: null,
      subject: '000.00.04.H26-250301-0012',
      dataschema: 'https://motcua.example.vn/schemas/received.json',
      a1111111111111111111: 'twenty characters',
    });
  });

  it.each(['Traceparent', 'trace_id', 'trace-id', `a${'1'.repeat(20)}`, 'hồsơ'])(
    'rejects the extension name %j',
    (name) => {
      expect(rejection(event(RECEIVED, { [name]: 'x' }))).toBe(
        `${name}: attribute names are 1–20 of a–z, 0–9`,
      );
    },
  );

  it('rejects an extension whose value is an object or an array', () => {
    expect(rejection(event(RECEIVED, { extra: { a: 1 } }))).toBe(
      'extra: extension attributes must be strings, numbers or booleans',
    );
    expect(rejection(event(RECEIVED, { extra: [1] }))).toBe(
      'extra: extension attributes must be strings, numbers or booleans',
    );
  });
});

describe('validateEvent: strings Postgres cannot store', () => {
  it('rejects a NUL character, naming the field', () => {
    const message = 'data.comment: contains a NUL character or invalid Unicode';
    expect(rejection(withData(RATING, { comment: 'tốt\u0000lắm' }))).toBe(message);
    expect(rejection(event(RECEIVED, { id: 'e\u00001' }))).toBe(
      'id: contains a NUL character or invalid Unicode',
    );
  });

  it('rejects a NUL character in a field name', () => {
    expect(rejection(withData(RATING, { 'lev\u0000el': 'satisfied' }))).toBe(
      'data: contains a NUL character or invalid Unicode',
    );
  });

  it('rejects lone surrogates, high or low, naming the field', () => {
    expect(rejection(withData(RATING, { comment: 'a\ud83d' }))).toBe(
      'data.comment: contains a NUL character or invalid Unicode',
    );
    expect(rejection(withData(RECEIVED, { dossierCode: '\ude00HS' }))).toBe(
      'data.dossierCode: contains a NUL character or invalid Unicode',
    );
    expect(rejection(event(RECEIVED, { traceparent: 'x\ud800' }))).toBe(
      'traceparent: contains a NUL character or invalid Unicode',
    );
  });

  it('rejects them in nested values', () => {
    expect(rejection(withData(RATING, { criteria: { time: 'satisfied\u0000' } }))).toBe(
      'data.criteria.time: contains a NUL character or invalid Unicode',
    );
  });

  it('accepts characters outside the BMP written as surrogate pairs', () => {
    expect(accepted(withData(RATING, { comment: 'Rất tốt 👍' })).data.comment).toBe('Rất tốt 👍');
  });
});
