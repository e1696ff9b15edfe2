import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createLogger } from './createLogger';

/** The JSON lines a logger writes. */
function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const PHI = ['María', 'García', '+12015550123', '201-555-0123', 'your HIV result', '1968-04-12', '12 Elm St'];

describe('createLogger', () => {
  test.each([
    ['top level', { body: 'Hi María, your HIV result', to: '+12015550123' }],
    ['one level down', { sms: { Body: 'your HIV result', From: '+12015550123' } }],
    ['deep inside an error cause', { err: { cause: { body: 'your HIV result', to: '201-555-0123' } } }],
    [
      'a FHIR Patient',
      {
        resource: {
          resourceType: 'Patient',
          name: [{ given: ['María'], family: 'García' }],
          telecom: [{ system: 'phone', value: '201-555-0123' }],
          birthDate: '1968-04-12',
          address: [{ line: ['12 Elm St'] }],
        },
      },
    ],
    ['a ContactPoint value alone', { contact: { system: 'sms', value: '201-555-0123' } }],
    ['a Communication payload', { entries: [[{ payload: [{ contentString: 'your HIV result' }] }]] }],
    ['an E.164 number in any string', { note: { detail: 'lookup of +12015550123 failed' } }],
    ['a string message with a number', 'texting +12015550123 failed'],
  ])('when PHI is logged %s, then no line carries it', (_case, entry) => {
    const out = capture();
    const log = createLogger('info', out.stream);
    if (typeof entry === 'string') log.info(entry);
    else log.info(entry, 'event');
    const text = JSON.stringify(out.lines());
    for (const value of PHI) expect(text).not.toContain(value);
    expect(text).toContain('[redacted]');
  });

  test('when ids, statuses, counts and error kinds are logged, then they are kept', () => {
    const out = capture();
    const log = createLogger('info', out.stream);
    log.info(
      { sid: 'SM0123', status: 'delivered', count: 3, err: { name: 'FhirError', status: 503 }, communication: 'c1' },
      'filed',
    );
    expect(out.lines()[0]).toMatchObject({
      sid: 'SM0123',
      status: 'delivered',
      count: 3,
      err: { name: 'FhirError', status: 503 },
      communication: 'c1',
      msg: 'filed',
    });
  });

  test('when an object refers to itself, then the line is still written', () => {
    const out = capture();
    const log = createLogger('info', out.stream);
    const loop: Record<string, unknown> = { sid: 'SM1' };
    loop.self = loop;
    log.info({ loop }, 'cyclic');
    expect(out.lines()[0]).toMatchObject({ loop: { sid: 'SM1' } });
  });
});
