import { OperationOutcomeError, parseSearchRequest } from '@medplum/core';
import { describe, expect, test } from 'vitest';
import { parseSearchQuery, searchRequestToRawQuery, splitOrValues } from './parseSearchQuery';

const parse = (type: string, query: string) =>
  parseSearchQuery(
    type,
    Object.fromEntries([...new URLSearchParams(query)].map(([k]) => [k, new URLSearchParams(query).getAll(k)])),
  );

function errorText(fn: () => unknown): string {
  try {
    fn();
    return '(no error)';
  } catch (err) {
    if (err instanceof OperationOutcomeError) return err.outcome.issue[0]?.details?.text ?? '';
    throw err;
  }
}

describe('parseSearchQuery', () => {
  test.each([
    ['Communication', 'part-of=Communication/h&_sort=-sent&_count=50', { criteria: 1, sort: 1, count: 50 }],
    ['Communication', 'subject:Patient=p1', { criteria: 1, sort: 0, count: 20 }],
    ['Communication', 'status=completed,stopped&status:not=stopped', { criteria: 2, sort: 0, count: 20 }],
    [
      'Communication',
      '_lastUpdated=gt2026-11-01T15:00:00.123Z&_lastUpdated=lt2026-11-02',
      { criteria: 2, sort: 0, count: 20 },
    ],
    ['Patient', 'name:contains=ar&birthdate=1968&_sort=family,-birthdate', { criteria: 2, sort: 2, count: 20 }],
    ['Patient', '_summary=count&_format=json&_pretty=true', { criteria: 0, sort: 0, count: 0 }],
    ['Task', 'business-status=waiting&owner:missing=true', { criteria: 2, sort: 0, count: 20 }],
  ])('%s?%s parses', (type, query, expected) => {
    const parsed = parse(type, query);
    expect({ criteria: parsed.criteria.length, sort: parsed.sort.length, count: parsed.count }).toEqual(expected);
  });

  test.each([
    ['Communication', 'colour=blue', 'Search parameter "colour" is not supported for Communication'],
    ['Communication', 'subject:Device=d1', 'Modifier ":Device" is not supported'],
    ['Communication', 'status:in=x', 'Modifier ":in" is not supported'],
    ['Communication', 'sent:exact=2026', 'Modifier ":exact" is not supported'],
    ['Communication', 'status=', 'has no value'],
    ['Communication', 'status=a,,b', 'empty value'],
    ['Communication', '_sort=payload', 'Cannot sort Communication by "payload"'],
    ['Communication', '_count=ten', '_count must be a non-negative integer'],
    ['Communication', '_include=Patient:link', 'the source type must be the searched type'],
    ['Communication', '_revinclude=Task:owner', 'cannot refer to Communication'],
    ['Communication', '_total=maybe', '_total must be'],
    ['Communication', '_summary=true', '_summary=true is not supported'],
    ['Communication', '_format=xml', 'only JSON'],
    ['Communication', '_tag=x', '"_tag" is not supported'],
    ['Communication', 'missing:missing=maybe', 'Search parameter "missing" is not supported'],
    ['Communication', 'subject:missing=maybe', 'must be true or false'],
    ['Observation', 'code=1', 'Search is not supported for Observation'],
  ])('%s?%s is refused: %s', (type, query, text) => {
    expect(errorText(() => parse(type, query))).toContain(text);
  });

  test('a _count above the cap is capped', () => {
    expect(parse('Patient', '_count=100000').count).toBe(1000);
  });

  test.each([
    ['a,b', ['a', 'b']],
    ['a\\,b,c', ['a\\,b', 'c']],
    ['x', ['x']],
  ])('splitOrValues(%s)', (value, parts) => {
    expect(splitOrValues(value)).toEqual(parts);
  });

  test('a medplum SearchRequest round-trips through the strict parser', () => {
    const request = parseSearchRequest(
      'Communication?identifier=urn:x|1&_lastUpdated=gt2026-01-01&status:not=stopped&_sort=-sent&_count=2',
    );
    const parsed = parseSearchQuery('Communication', searchRequestToRawQuery(request));
    expect(parsed.criteria.map((c) => c.kind)).toEqual(['token', 'date', 'token']);
    expect(parsed.count).toBe(2);
    expect(parsed.sort[0]?.descending).toBe(true);
  });
});
