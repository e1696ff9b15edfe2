import { describe, expect, test } from 'vitest';
import { detectKeyword, keywordOf, keywordReply, type Keyword } from './detectKeyword';

describe('detectKeyword', () => {
  test.each<[string, Keyword]>([
    ['STOP', 'opt-out'],
    ['stop', 'opt-out'],
    [' Stop. ', 'opt-out'],
    ['STOP!', 'opt-out'],
    ['StopAll', 'opt-out'],
    ['unsubscribe', 'opt-out'],
    ['Cancel', 'opt-out'],
    ['END', 'opt-out'],
    ['quit', 'opt-out'],
    ['REVOKE', 'opt-out'],
    ['optout', 'opt-out'],
    ['START', 'opt-in'],
    ['yes', 'opt-in'],
    ['Unstop', 'opt-in'],
    ['HELP', 'help'],
    ['info?', 'help'],
    ['ＳＴＯＰ', 'opt-out'],
  ])('when the message is "%s", then it is %s', (body, keyword) => {
    expect(detectKeyword(body)).toBe(keyword);
  });

  test.each([
    ['Please stop texting me'],
    ['stop it'],
    ['Yes, Tuesday works'],
    ['STOPPED'],
    ['helpful, thanks'],
    [''],
    ['   '],
    ['🛑'],
  ])('when the message is "%s", then it is not a keyword', (body) => {
    expect(detectKeyword(body)).toBeUndefined();
  });
});

describe('keywordOf', () => {
  test.each<[string, string | undefined, Keyword | undefined]>([
    ['ARRET', 'STOP', 'opt-out'],
    ['PARA', 'STOP', 'opt-out'],
    ['SI', 'START', 'opt-in'],
    ['AYUDA', 'HELP', 'help'],
    ['stop', undefined, 'opt-out'],
    ['hello', undefined, undefined],
  ])('when the body is %s and Advanced Opt-Out says %s, then the keyword is %s', (body, type, keyword) => {
    expect(keywordOf(body, type)).toBe(keyword);
  });
});

describe('keywordReply', () => {
  const practice = { name: 'Riverside Family Medicine', helpPhone: '(201) 555-0101' };

  test.each<[Keyword, RegExp]>([
    ['opt-out', /unsubscribed.*START/],
    ['opt-in', /resubscribed.*STOP/],
    ['help', /\(201\) 555-0101.*STOP/],
  ])('the %s reply names the practice and the way back', (keyword, text) => {
    const reply = keywordReply(keyword, practice);
    expect(reply).toMatch(/^Riverside Family Medicine: /);
    expect(reply).toMatch(text);
    expect(reply.length).toBeLessThanOrEqual(160);
  });
});
