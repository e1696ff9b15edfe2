/**
 * How many SMS segments a draft will cost and in which encoding, as Twilio will count them
 * (sms-segments-calculator is Twilio's own calculator: https://github.com/TwilioDevEd/message-segment-calculator).
 * The calculator (with its Unicode grapheme tables) is loaded after the thread has painted, not before.
 */
import type { SegmentedMessage } from 'sms-segments-calculator';
import { useEffect, useMemo, useState } from 'react';

/** Twilio refuses bodies over 1,600 characters (error 21617). */
export const MAX_CHARACTERS = 1_600;

export type Calculator = typeof SegmentedMessage;

export interface SegmentCount {
  /** Characters as Twilio's limit counts them (Unicode code points). */
  characters: number;
  /** Undefined until the calculator has loaded. */
  segments?: number;
  encoding?: 'GSM-7' | 'UCS-2';
  /** Characters that force UCS-2 (emoji, curly quotes…), so the user can replace them. */
  nonGsm: string[];
  overLimit: boolean;
}

/** Counts segments and encoding of a draft; an empty draft costs nothing. */
export function countSegments(text: string, calculator: Calculator | undefined): SegmentCount {
  const characters = [...text].length;
  const overLimit = characters > MAX_CHARACTERS;
  if (characters === 0) return { characters: 0, segments: 0, encoding: 'GSM-7', nonGsm: [], overLimit: false };
  if (!calculator) return { characters, nonGsm: [], overLimit };
  const message = new calculator(text.replace(/\r\n/g, '\n'));
  return {
    characters,
    segments: message.segmentsCount,
    encoding: message.encodingName,
    nonGsm: [...new Set(message.getNonGsmCharacters())],
    overLimit,
  };
}

/** Loads the calculator once, after first render. */
export async function loadCalculator(): Promise<Calculator> {
  return (await import('sms-segments-calculator')).SegmentedMessage;
}

/** How long after mount the calculator loads if the user has not started typing: after the thread has painted. */
const IDLE_LOAD_MS = 1_000;

/** The live count of a draft; segments appear once the calculator has loaded (at the first keystroke, or when idle). */
export function useSegmentCount(text: string): SegmentCount {
  const [calculator, setCalculator] = useState<Calculator>();
  const typing = text.length > 0;
  useEffect(() => {
    if (calculator) return;
    let mounted = true;
    const load = (): void => {
      loadCalculator().then(
        (loaded) => mounted && setCalculator(() => loaded),
        () => undefined,
      );
    };
    // Compiling it while the thread's first page arrives would delay the thread's first paint.
    const timer = setTimeout(load, typing ? 0 : IDLE_LOAD_MS);
    return () => {
      mounted = false;
      clearTimeout(timer);
    };
  }, [calculator, typing]);
  return useMemo(() => countSegments(text, calculator), [text, calculator]);
}
