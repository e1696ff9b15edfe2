import { describe, expect, test } from 'vitest';
import { SegmentedMessage } from 'sms-segments-calculator';
import { countSegments as count, MAX_CHARACTERS } from './segmentCount';

const countSegments = (text: string) => count(text, SegmentedMessage);

describe('countSegments', () => {
  test.each([
    ['', 0, 0, 'GSM-7'],
    ['Hello', 5, 1, 'GSM-7'],
    ['a'.repeat(160), 160, 1, 'GSM-7'],
    ['a'.repeat(161), 161, 2, 'GSM-7'],
    ['a'.repeat(306), 306, 2, 'GSM-7'],
    ['a'.repeat(307), 307, 3, 'GSM-7'],
    ['Café, señor — ñ', 15, 1, 'UCS-2'],
    ['Hola, ¿cómo está?', 17, 1, 'UCS-2'],
    ['Your visit is at 3pm €20', 24, 1, 'GSM-7'],
    ['Thanks 😀', 8, 1, 'UCS-2'],
    ['é'.repeat(70), 70, 1, 'GSM-7'],
    ['😀'.repeat(70), 70, 3, 'UCS-2'],
    ['ü'.repeat(71) + '😀', 72, 2, 'UCS-2'],
    ['line one\nline two', 17, 1, 'GSM-7'],
  ])('%j: %i characters, %i segment(s), %s', (text, characters, segments, encoding) => {
    const count = countSegments(text);
    expect(count).toMatchObject({ characters, segments, encoding, overLimit: false });
  });

  test('curly quotes force UCS-2 and are named so the user can replace them', () => {
    expect(countSegments('It’s “fine”').nonGsm).toEqual(['’', '“', '”']);
  });

  test.each([
    [MAX_CHARACTERS, false],
    [MAX_CHARACTERS + 1, true],
  ])('%i characters over the limit: %s', (length, over) => {
    expect(countSegments('x'.repeat(length)).overLimit).toBe(over);
  });

  test('before the calculator has loaded, characters and the limit are known, segments not yet', () => {
    expect(count('x'.repeat(MAX_CHARACTERS + 1), undefined)).toEqual({
      characters: MAX_CHARACTERS + 1,
      nonGsm: [],
      overLimit: true,
    });
  });

  test('an emoji counts as one character toward the limit', () => {
    expect(countSegments('👍'.repeat(MAX_CHARACTERS)).overLimit).toBe(false);
  });
});
