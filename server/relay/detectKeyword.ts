/**
 * Opt-out, opt-in and help keywords, as Twilio's default opt-out handling recognises them for long codes:
 * the whole message, case-insensitive, surrounding space and punctuation ignored
 * (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out; CTIA Messaging Principles and Best Practices).
 * "Please stop texting me" is not a keyword: it reaches staff as an ordinary message.
 */

export type Keyword = 'opt-out' | 'opt-in' | 'help';

const KEYWORDS: Record<string, Keyword> = {
  STOP: 'opt-out',
  STOPALL: 'opt-out',
  UNSUBSCRIBE: 'opt-out',
  CANCEL: 'opt-out',
  END: 'opt-out',
  QUIT: 'opt-out',
  REVOKE: 'opt-out',
  OPTOUT: 'opt-out',
  START: 'opt-in',
  YES: 'opt-in',
  UNSTOP: 'opt-in',
  HELP: 'help',
  INFO: 'help',
};

/** The keyword a message body is, if it is exactly one. */
export function detectKeyword(body: string | undefined): Keyword | undefined {
  if (!body) return undefined;
  const word = body
    .normalize('NFKC')
    .trim()
    .replace(/^[\s"'“”.!?¡¿]+|[\s"'“”.!?¡¿]+$/gu, '')
    .toUpperCase();
  if (word.length === 0 || word.length > 12) return undefined;
  return Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word] : undefined;
}

/** The keyword Twilio Advanced Opt-Out reported (`OptOutType`), else the one the body is. */
export function keywordOf(body: string | undefined, optOutType?: string): Keyword | undefined {
  const reported: Record<string, Keyword> = { STOP: 'opt-out', START: 'opt-in', HELP: 'help' };
  const type = optOutType?.toUpperCase() ?? '';
  return Object.hasOwn(reported, type) ? reported[type] : detectKeyword(body);
}

/** What the practice says back to a keyword, as carriers expect (brand name, how to get help, how to opt back). */
export function keywordReply(keyword: Keyword, practice: { name: string; helpPhone?: string }): string {
  const help = practice.helpPhone ? ` call ${practice.helpPhone}` : ' contact the practice';
  switch (keyword) {
    case 'opt-out':
      return `${practice.name}: you are unsubscribed and will receive no more texts from this number. Reply START to resubscribe.`;
    case 'opt-in':
      return `${practice.name}: you are resubscribed to texts from your care team. Msg & data rates may apply. Reply HELP for help, STOP to opt out.`;
    case 'help':
      return `${practice.name}: for help${help}. This number is for non-urgent messages; in an emergency call 911. Reply STOP to opt out.`;
  }
}
