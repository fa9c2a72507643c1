import { describe, expect, it } from 'vitest';
import { CsvHeaderError, checkCsvHeader, csvRecordToEvent, splitCsvRecord } from './csv.ts';

describe('splitCsvRecord', () => {
  it('splits plain and quoted fields, with doubled quotes and commas inside quotes', () => {
    expect(splitCsvRecord('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(splitCsvRecord('"a,1","say ""hi""",x')).toEqual(['a,1', 'say "hi"', 'x']);
  });
  it('says a record goes on when a quoted field is open at the end', () => {
    expect(splitCsvRecord('1,"two\nlines')).toBeNull();
    expect(splitCsvRecord('1,"two\nlines"')).toEqual(['1', 'two\nlines']);
  });
});

describe('checkCsvHeader', () => {
  it('wants id, type, time and source (or unit and desk), each once', () => {
    expect(() => checkCsvHeader(['id', 'type', 'time', 'source'])).not.toThrow();
    expect(() => checkCsvHeader(['id', 'type', 'time', 'unit', 'desk'])).not.toThrow();
    expect(() => checkCsvHeader(['id', 'type', 'time', 'unit'])).toThrow(CsvHeaderError);
    expect(() => checkCsvHeader(['id', 'time', 'source'])).toThrow('column type is required');
    expect(() => checkCsvHeader(['id', 'id', 'type', 'time', 'source'])).toThrow('appears twice');
  });
});

describe('csvRecordToEvent', () => {
  const header = [
    'id',
    'unit',
    'desk',
    'type',
    'time',
    'data.dossierCode',
    'data.channel',
    'data.dueAt',
    'data.feeBearing',
    'data.criteria.time',
    'data.procedureCode',
  ];
  it('builds the CloudEvent: source from unit and desk, data from data.* columns, facts as booleans', () => {
    const e = csvRecordToEvent(header, [
      'e1',
      '00004',
      'Q01',
      'vn.motcua.dossier.received',
      '2025-11-03T08:00:00+07:00',
      'D1',
      'online',
      '2025-11-10T17:00:00+07:00',
      'true',
      '',
      'P1',
    ]);
    expect(e).toEqual({
      specversion: '1.0',
      id: 'e1',
      source: '/units/00004/desks/Q01',
      type: 'vn.motcua.dossier.received',
      time: '2025-11-03T08:00:00+07:00',
      data: {
        dossierCode: 'D1',
        channel: 'online',
        dueAt: '2025-11-10T17:00:00+07:00',
        feeBearing: true,
        procedureCode: 'P1',
      },
    });
  });
  it('nests data.a.b columns and keeps true/false as text where the contract wants text', () => {
    const e = csvRecordToEvent(header, [
      'e2',
      '00004',
      'Q01',
      'vn.motcua.rating.submitted',
      't',
      'true',
      '',
      '',
      '',
      'satisfied',
      '',
    ]);
    expect(e.data).toEqual({ dossierCode: 'true', criteria: { time: 'satisfied' } });
  });
  it('reads a data column of JSON and names a bad one', () => {
    expect(csvRecordToEvent(['id', 'data'], ['x', '{"level":"satisfied"}']).data).toEqual({
      level: 'satisfied',
    });
    expect(() => csvRecordToEvent(['id', 'data'], ['x', '{'])).toThrow('data: not valid JSON');
    expect(() => csvRecordToEvent(['id', 'data'], ['x'])).toThrow('record: 1 fields, the header has 2');
  });
});
