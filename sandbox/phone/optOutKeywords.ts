/**
 * Twilio's default keyword handling for long codes: opt-out, opt-in and help words, matched on the whole message
 * (case and surrounding spaces ignored), and the replies Twilio sends by default.
 * https://help.twilio.com/articles/223134027 and https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out
 */

export type KeywordKind = 'STOP' | 'START' | 'HELP';

const KEYWORDS: Record<string, KeywordKind> = {
  STOP: 'STOP',
  STOPALL: 'STOP',
  UNSUBSCRIBE: 'STOP',
  CANCEL: 'STOP',
  END: 'STOP',
  QUIT: 'STOP',
  REVOKE: 'STOP',
  OPTOUT: 'STOP',
  START: 'START',
  YES: 'START',
  UNSTOP: 'START',
  HELP: 'HELP',
  INFO: 'HELP',
};

/** The keyword a message body is, or undefined when it is ordinary text ("stop by at 3" is not STOP). */
export function keywordOf(body: string): KeywordKind | undefined {
  const word = body
    .trim()
    .replace(/[.!]+$/, '')
    .toUpperCase();
  return KEYWORDS[word];
}

/** Twilio's default auto-reply to a keyword (sent unless the account handles keywords itself). */
export const DEFAULT_KEYWORD_REPLIES: Record<KeywordKind, string> = {
  STOP: 'You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.',
  START:
    'You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
  HELP: 'Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
};
