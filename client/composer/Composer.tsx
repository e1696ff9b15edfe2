/**
 * The composer: a multi-line box where Enter sends and Shift+Enter breaks the line, a live segment count and
 * encoding, the 1,600-character limit, the masked number the text will go to, and, when texting is not possible,
 * the reason instead of a silent grey button.
 */
import type { Communication } from '@medplum/fhirtypes';
import type { UseMutationResult } from '@tanstack/react-query';
import { useId, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { isFhirError } from '../fhir/fhirErrors';
import type { SendVariables } from '../thread/useSendMessage';
import { MAX_CHARACTERS, useSegmentCount } from './segmentCount';
import type { AvailabilityState } from './useComposerAvailability';

function newClientMessageId(): string {
  return crypto.randomUUID();
}

export interface ComposerProps {
  availability: AvailabilityState;
  online: boolean;
  send: UseMutationResult<Communication, Error, SendVariables>;
}

/** The message composer for one thread. */
export function Composer({ availability, online, send }: ComposerProps): ReactNode {
  const [text, setText] = useState('');
  const count = useSegmentCount(text);
  const ids = useId();
  const countId = `${ids}-count`;
  const reasonId = `${ids}-reason`;

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
  const canSubmit = !blocked && !waiting && online && !empty && !count.overLimit;

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
      <textarea
        id={`${ids}-text`}
        className="composer__text"
        rows={blocked ? 1 : 3}
        value={text}
        disabled={blocked !== undefined}
        placeholder={blocked ? '' : 'Write a text… (Enter sends, Shift+Enter for a new line)'}
        aria-describedby={blocked ? `${reasonId} ${countId}` : countId}
        aria-invalid={count.overLimit}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
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
