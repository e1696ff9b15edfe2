/**
 * A text from an unknown or shared number, opened from the inbox: the message, who already has the number on file
 * (a family sharing one phone), a patient search by name, birth date or phone, the choice of who sent it (a patient
 * or a family member), and, after explicit confirmation, adding the number to the patient's chart. Or: wrong number,
 * spam.
 */
import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { birthDateLabel } from '../../app/PatientBanner';
import { useSession } from '../../app/sessionContext';
import { AttachmentView } from '../../thread/AttachmentView';
import { agoLabel, type TriageRow } from '../inboxModel';
import { formatPhone, sameNumber } from '../phoneForms';
import { patientSearchParams, readPatientQuery } from './patientSearch';
import {
  familyQuery,
  numberOwnersQuery,
  patientSearchQuery,
  useCloseTriage,
  useLinkMessage,
  type Candidate,
} from './useTriage';

export interface TriagePaneProps {
  row: TriageRow;
  now: Date;
  onBack: () => void;
  /** Called once the message is linked: the inbox opens that patient's thread. */
  onLinked: (patientId: string, headerReference: string) => void;
  /** Called once the item is closed as wrong number or spam. */
  onClosed: () => void;
}

function CandidateOption({
  candidate,
  name,
  checked,
  onChoose,
}: {
  candidate: Candidate;
  name: string;
  checked: boolean;
  onChoose: (c: Candidate) => void;
}): ReactNode {
  return (
    <label className={`candidate${checked ? ' candidate--chosen' : ''}`}>
      <input type="radio" name={name} checked={checked} onChange={() => onChoose(candidate)} />
      <span className="candidate__name">{candidate.name}</span>
      <span className="candidate__detail">
        {candidate.relation}
        {candidate.birthDate ? ` · born ${birthDateLabel(candidate.birthDate)}` : ''}
      </span>
    </label>
  );
}

/** The triage view of one unmatched message. */
export function TriagePane({ row, now, onBack, onLinked, onClosed }: TriagePaneProps): ReactNode {
  const session = useSession();
  const ids = useId();
  const fromNumber = row.fromNumber;
  const owners = useQuery({ ...numberOwnersQuery(session, fromNumber ?? ''), enabled: fromNumber !== undefined });
  const [text, setText] = useState('');
  const [submitted, setSubmitted] = useState('');
  const query = readPatientQuery(submitted);
  const results = useQuery(patientSearchQuery(session, patientSearchParams(query)));
  const [chosen, setChosen] = useState<Candidate | undefined>(undefined);
  // The patient last chosen: their family members are offered too (a parent may text about a child).
  const [anchor, setAnchor] = useState<Candidate | undefined>(undefined);
  const family = useQuery(familyQuery(session, anchor?.patientId));
  const [addNumber, setAddNumber] = useState(false);
  const link = useLinkMessage();
  const close = useCloseTriage();

  const onSearch = (event: FormEvent): void => {
    event.preventDefault();
    setSubmitted(text);
  };
  const choose = (candidate: Candidate): void => {
    setChosen(candidate);
    if (candidate.relation === 'Patient') setAnchor(candidate);
    setAddNumber(false);
  };

  const shared = (owners.data ?? []).length > 0;
  const numberOnFile = chosen && fromNumber ? chosen.telecom.some((t) => sameNumber(t, fromNumber)) : true;
  const canAddNumber = chosen?.relation === 'Patient' && !numberOnFile && fromNumber !== undefined;
  const listed = [...(owners.data ?? []), ...(results.data ?? [])];
  const familyOfChosen = (family.data ?? []).filter((c) => !listed.some((l) => l.participant === c.participant));
  const searchResults = (results.data ?? []).filter(
    (c) => !(owners.data ?? []).some((o) => o.participant === c.participant),
  );
  const busy = link.isPending || close.isPending;

  const onLink = (): void => {
    if (!chosen || !row.message) return;
    link.mutate(
      {
        message: row.message,
        triageTask: row.task,
        sender: { patientId: chosen.patientId, participant: chosen.participant },
        ...(addNumber && canAddNumber && fromNumber ? { addNumber: fromNumber } : {}),
      },
      { onSuccess: ({ headerId }) => onLinked(chosen.patientId, `Communication/${headerId}`) },
    );
  };

  const number = fromNumber ? formatPhone(fromNumber) : 'an unknown number';
  return (
    <section className="inbox-detail triage" aria-labelledby={`${ids}-title`}>
      <div className="inbox-detail__bar">
        <button type="button" className="link-button inbox-detail__back" onClick={onBack}>
          ← Back to the list
        </button>
      </div>
      <div className="triage__body">
        <h2 id={`${ids}-title`}>Text from {number}</h2>
        <figure className="triage__message">
          <blockquote className="bubble">
            <p className="bubble__text">{row.text || '(no text)'}</p>
            {row.message?.payload
              ?.flatMap((p) => (p.contentAttachment ? [p.contentAttachment] : []))
              .map((attachment, i) => (
                <AttachmentView key={i} attachment={attachment} />
              ))}
          </blockquote>
          {row.receivedAt && (
            <figcaption>
              Received {new Date(row.receivedAt).toLocaleString()} ({agoLabel(row.receivedAt, now)})
            </figcaption>
          )}
        </figure>

        <fieldset className="triage__who">
          <legend>Who sent it?</legend>
          {owners.isPending && fromNumber && <p className="triage__note">Looking up who has this number…</p>}
          {owners.isError && <p className="triage__error">Could not look up the number: {owners.error.message}</p>}
          {shared && (
            <>
              <p className="triage__note">
                This number is on file for more than one person, so ChartText could not tell who sent it. Choose:
              </p>
              {owners.data?.map((c) => (
                <CandidateOption
                  key={c.participant}
                  candidate={c}
                  name={`${ids}-who`}
                  checked={chosen?.participant === c.participant}
                  onChoose={choose}
                />
              ))}
            </>
          )}
          {owners.isSuccess && !shared && (
            <p className="triage__note">No patient or family member in the EHR has this number. Find the patient:</p>
          )}
          <form className="triage__search" role="search" aria-label="Find a patient" onSubmit={onSearch}>
            <label htmlFor={`${ids}-q`}>Name, birth date or phone</label>
            <input
              id={`${ids}-q`}
              type="search"
              value={text}
              placeholder="e.g. Kim 1988-08-27"
              onChange={(event) => setText(event.target.value)}
            />
            <button type="submit" className="button">
              Search
            </button>
          </form>
          {query.kind === 'invalid' && <p className="triage__error">{query.message}</p>}
          {results.isFetching && <p className="triage__note">Searching…</p>}
          {results.isError && <p className="triage__error">Search failed: {results.error.message}</p>}
          {results.isSuccess && searchResults.length === 0 && (owners.data ?? []).length === 0 && (
            <p className="triage__note">No patient matches “{submitted}”.</p>
          )}
          {searchResults.map((c) => (
            <CandidateOption
              key={c.participant}
              candidate={c}
              name={`${ids}-who`}
              checked={chosen?.participant === c.participant}
              onChoose={choose}
            />
          ))}
          {familyOfChosen.length > 0 && (
            <div className="triage__family">
              <p className="triage__note">Or a family member of {anchor?.name}:</p>
              {familyOfChosen.map((c) => (
                <CandidateOption
                  key={c.participant}
                  candidate={c}
                  name={`${ids}-who`}
                  checked={chosen?.participant === c.participant}
                  onChoose={choose}
                />
              ))}
            </div>
          )}
        </fieldset>

        {canAddNumber && (
          <label className="triage__confirm">
            <input type="checkbox" checked={addNumber} onChange={(event) => setAddNumber(event.target.checked)} />
            Also add {number} to {chosen.name}’s chart as a mobile number, so their next texts file automatically
          </label>
        )}

        <div className="triage__actions">
          <button type="button" className="button button--primary" disabled={!chosen || busy} onClick={onLink}>
            {chosen ? `Link to ${chosen.name}` : 'Link to a patient'}
          </button>
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => close.mutate({ task: row.task, outcome: 'wrong-number' }, { onSuccess: onClosed })}
          >
            Wrong number
          </button>
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => close.mutate({ task: row.task, outcome: 'spam' }, { onSuccess: onClosed })}
          >
            Spam
          </button>
        </div>
        {(link.error ?? close.error) && (
          <p className="triage__error" role="alert">
            Not saved: {(link.error ?? close.error)?.message}
          </p>
        )}
      </div>
    </section>
  );
}
