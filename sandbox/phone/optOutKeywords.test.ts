import { describe, expect, test } from 'vitest';
import { keywordOf } from './optOutKeywords';

describe('keywordOf', () => {
  test.each([
    ['STOP', 'STOP'],
    ['stop', 'STOP'],
    ['  Stop.  ', 'STOP'],
    ['STOPALL', 'STOP'],
    ['unsubscribe', 'STOP'],
    ['Cancel', 'STOP'],
    ['END', 'STOP'],
    ['quit!', 'STOP'],
    ['REVOKE', 'STOP'],
    ['OPTOUT', 'STOP'],
    ['START', 'START'],
    ['yes', 'START'],
    ['Unstop', 'START'],
    ['HELP', 'HELP'],
    ['info', 'HELP'],
  ] as const)('when a patient texts %j, then it is the %s keyword', (body, kind) => {
    expect(keywordOf(body)).toBe(kind);
  });

  test.each(['Please stop calling me at work', 'stop by at 3?', 'STOP STOP', 'Yes please', 'ST0P', ''])(
    'when a patient texts %j, then it is ordinary text',
    (body) => {
      expect(keywordOf(body)).toBeUndefined();
    },
  );
});
