/**
 * How many SMS segments a draft will cost and in which encoding, as Twilio will count them
 * (sms-segments-calculator is Twilio's own calculator: https://github.com/TwilioDevEd/message-segment-calculator).
 */
import { SegmentedMessage } from 'sms-segments-calculator';

/** Twilio refuses bodies over 1,600 characters (error 21617). */
export const MAX_CHARACTERS = 1_600;

export interface SegmentCount {
  /** Characters as Twilio's limit counts them (Unicode code points). */
  characters: number;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters that force UCS-2 (emoji, curly quotes…), so the user can replace them. */
  nonGsm: string[];
  overLimit: boolean;
}

/** Counts segments and encoding of a draft; an empty draft costs nothing. */
export function countSegments(text: string): SegmentCount {
  const characters = [...text].length;
  if (characters === 0) return { characters: 0, segments: 0, encoding: 'GSM-7', nonGsm: [], overLimit: false };
  const message = new SegmentedMessage(text.replace(/\r\n/g, '\n'));
  return {
    characters,
    segments: message.segmentsCount,
    encoding: message.encodingName,
    nonGsm: [...new Set(message.getNonGsmCharacters())],
    overLimit: characters > MAX_CHARACTERS,
  };
}
