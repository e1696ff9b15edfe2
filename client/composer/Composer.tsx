/**
 * The composer: a multi-line box where Enter sends and Shift+Enter breaks the line, a live segment count and
 * encoding, the 1,600-character limit, the masked number the text will go to, and, when texting is not possible,
 * the reason instead of a silent grey button.
 */
import type { Communication } from '@medplum/fhirtypes';
import type { UseMutationResult } from '@tanstack/react-query';
import { lazy, Suspense, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { isFhirError } from '../fhir/fhirErrors';
import { PLACEHOLDER, placeholdersIn } from '../templates/templateFormat';
import type { SendVariables } from '../thread/useSendMessage';
import { MAX_CHARACTERS, useSegmentCount } from './segmentCount';
import type { AvailabilityState } from './useComposerAvailability';

// Loaded at the first click on Templates: the chart's first load does not carry it.
const TemplatePicker = lazy(() => import('../templates/TemplatePicker'));

/** The text behind the box, with each unfilled `{variable}` marked (the box itself cannot colour parts of its text). */
function Highlights({ text, scrollTop }: { text: string; scrollTop: number }): ReactNode {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    parts.push(text.slice(last, match.index), <mark key={match.index}>{match[0]}</mark>);
    last = match.index + match[0].length;
  }
  // A trailing newline needs a character after it to take up its line, as in the box.
  parts.push(`${text.slice(last)}\u200b`);
  return (
    <div className="composer__highlights" aria-hidden="true">
      <div style={{ transform: `translateY(${-scrollTop}px)` }}>{parts}</div>
    </div>
  );
}

function newClientMessageId(): string {
  return crypto.randomUUID();
}

export interface ComposerProps {
  availability: AvailabilityState;
  online: boolean;
  send: UseMutationResult<Communication, Error, SendVariables>;
  /** The patient whose chart fills the message templates (absent: no templates). */
  templatesFor?: string;
}

/** The message composer for one thread. */
export function Composer({ availability, online, send, templatesFor }: ComposerProps): ReactNode {
  const [text, setText] = useState('');
  const [picking, setPicking] = useState(false);
  const [scrollTop, setScrollTop] = useState(0);
  const box = useRef<HTMLTextAreaElement>(null);
  const unfilled = placeholdersIn(text);
  const count = useSegmentCount(text);
  const ids = useId();
  const countId = `${ids}-count`;
  const reasonId = `${ids}-reason`;
  const unfilledId = `${ids}-unfilled`;

  const ready = availability.status === 'ready' ? availability.availability : undefined;
  const blocked =
    availability.status === 'error'
      ? isFhirError(availability.error, 'forbidden') && availability.error.missingScope
        ? `Texting is off: ChartText is not allowed to ${availability.what} (missing ${availability.error.missingScope}).`
        : `Texting is off: could not ${availability.what}. ${availability.error.message}`
      : ready && !ready.canSend
        ? ready.message
        : undefined;
  const waiting = availability.status === 'loading';
  const empty = text.trim() === '';
  const canSubmit = !blocked && !waiting && online && !empty && !count.overLimit && unfilled.length === 0;

  const useTemplate = (filled: string): void => {
    setPicking(false);
    const next = text.trim() === '' ? filled : `${text.trimEnd()}\n${filled}`;
    setText(next);
    // Put the cursor on the first thing left to fill, so staff can type over it.
    requestAnimationFrame(() => {
      const element = box.current;
      if (!element) return;
      element.focus();
      const first = PLACEHOLDER.exec(next.slice(next.length - filled.length));
      PLACEHOLDER.lastIndex = 0;
      if (first) {
        const start = next.length - filled.length + first.index;
        element.setSelectionRange(start, start + first[0].length);
      } else {
        element.setSelectionRange(next.length, next.length);
      }
    });
  };

  const submit = (): void => {
    if (!canSubmit) return;
    const body = text.trim();
    const variables = { text: body, clientMessageId: newClientMessageId() };
    setText('');
    send.mutate(variables, {
      onError: (error) => {
        // Refused by the EHR: the message is gone from the thread, so give the words back to edit.
        if (!isFhirError(error, 'offline')) setText((current) => (current.trim() === '' ? body : current));
      },
    });
  };

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    submit();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  const destination = ready?.destination;
  const refused = send.error && !isFhirError(send.error, 'offline') ? send.error : undefined;

  return (
    <form className="composer" aria-label="Write a text message" onSubmit={onSubmit}>
      {!blocked && (
        <div className="composer__to">
          {destination ? (
            <>
              To mobile <span className="composer__number">{destination}</span>
            </>
          ) : (
            'Checking whether this patient can receive texts…'
          )}
        </div>
      )}
      {blocked && (
        <p className="composer__blocked" id={reasonId} role="status">
          {blocked}
        </p>
      )}
      {refused && (
        <p className="composer__error" role="alert">
          Not sent: {refused.message}
        </p>
      )}
      <label className="visually-hidden" htmlFor={`${ids}-text`}>
        Message to the patient
      </label>
      <div className={`composer__field${unfilled.length > 0 ? ' composer__field--marked' : ''}`}>
        <textarea
          id={`${ids}-text`}
          ref={box}
          className="composer__text"
          rows={blocked ? 1 : 3}
          value={text}
          disabled={blocked !== undefined}
          placeholder={blocked ? '' : 'Write a text… (Enter sends, Shift+Enter for a new line)'}
          aria-describedby={[blocked ? reasonId : '', unfilled.length > 0 ? unfilledId : '', countId]
            .filter(Boolean)
            .join(' ')}
          aria-invalid={count.overLimit || unfilled.length > 0}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
        />
        {unfilled.length > 0 && <Highlights text={text} scrollTop={scrollTop} />}
      </div>
      {unfilled.length > 0 && (
        <p className="composer__unfilled" id={unfilledId} role="status">
          Fill in {unfilled.map((name) => `{${name}}`).join(', ')} before sending: ChartText could not find{' '}
          {unfilled.length === 1 ? 'it' : 'them'} in the chart.
        </p>
      )}
      {picking && templatesFor && (
        <Suspense fallback={<p className="templates__note">Loading templates…</p>}>
          <TemplatePicker patientId={templatesFor} onChoose={useTemplate} onClose={() => setPicking(false)} />
        </Suspense>
      )}
      <div className="composer__foot">
        <span id={countId} className={`composer__count${count.overLimit ? ' composer__count--over' : ''}`}>
          {blocked ? null : count.characters === 0 ? (
            `Up to ${MAX_CHARACTERS.toLocaleString()} characters`
          ) : (
            <>
              {count.characters.toLocaleString()} / {MAX_CHARACTERS.toLocaleString()} characters
              {count.segments !== undefined && (
                <>
                  {' '}
                  · {count.segments} {count.segments === 1 ? 'SMS' : 'SMS segments'} · {count.encoding}
                </>
              )}
              {count.encoding === 'UCS-2' && count.nonGsm.length > 0 && (
                <>
                  {' '}
                  (because of{' '}
                  {count.nonGsm
                    .slice(0, 3)
                    .map((c) => `“${c}”`)
                    .join(' ')}
                  )
                </>
              )}
            </>
          )}
        </span>
        {!online && !blocked && <span className="composer__offline">Offline: sending resumes when you reconnect.</span>}
        {templatesFor && !blocked && (
          <button
            type="button"
            className="button composer__templates"
            aria-expanded={picking}
            aria-haspopup="dialog"
            onClick={() => setPicking((open) => !open)}
          >
            Templates
          </button>
        )}
        <button type="submit" className="button button--primary" disabled={!canSubmit}>
          Send
        </button>
      </div>
      {count.overLimit && (
        <p className="composer__error" role="alert">
          Too long: a text can have at most {MAX_CHARACTERS.toLocaleString()} characters. Remove{' '}
          {(count.characters - MAX_CHARACTERS).toLocaleString()}.
        </p>
      )}
    </form>
  );
}
