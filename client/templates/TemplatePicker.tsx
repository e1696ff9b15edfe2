/**
 * The template picker under the composer: the practice's quick texts, in the patient's preferred language (switchable),
 * each shown filled from the chart with what could not be filled marked. Choosing one puts it in the composer.
 * Loaded on first use (React.lazy), so the chart's first load does not carry it.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useSession } from '../app/sessionContext';
import { APP_CONFIG } from '../config';
import { patientQuery, senderNameQuery } from '../thread/threadQueries';
import { fillTemplate, preferredLanguage, templateLanguage, templateValues } from './fillTemplate';
import { PLACEHOLDER } from './templateFormat';
import { organizationQuery, templatesQuery } from './templateQueries';
import './templates.css';

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', es: 'Español' };

/** A filled text with its unresolved `{variables}` marked. */
export function MarkedText({ text }: { text: string }): ReactNode {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    parts.push(text.slice(last, match.index));
    parts.push(
      <mark key={match.index} className="placeholder">
        {match[0]}
      </mark>,
    );
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}

export interface TemplatePickerProps {
  patientId: string;
  /** Called with the filled text of the chosen template. */
  onChoose: (text: string) => void;
  onClose: () => void;
}

/** The picker (a listbox of templates). */
export default function TemplatePicker({ patientId, onChoose, onClose }: TemplatePickerProps): ReactNode {
  const session = useSession();
  const ids = useId();
  const templates = useQuery(templatesQuery());
  const patient = useQuery(patientQuery(session, patientId));
  const organization = useQuery(organizationQuery(session, APP_CONFIG.practiceOrganizationId));
  const fhirUser = session.grant.fhirUser;
  const staff = useQuery({ ...senderNameQuery(session, fhirUser ?? ''), enabled: fhirUser !== undefined });
  const preferred = preferredLanguage(patient.data);
  const [language, setLanguage] = useState<string | undefined>(undefined);
  const chosenLanguage = language ?? preferred ?? 'en';
  const languages = useMemo(
    () => [...new Set(['en', ...(templates.data?.templates ?? []).flatMap((t) => Object.keys(t.text))])],
    [templates.data],
  );
  const values = templateValues({
    ...(patient.data ? { patient: patient.data } : {}),
    ...(organization.data ? { organization: organization.data } : {}),
    ...(staff.data ? { staffName: staff.data } : {}),
    ...(templates.data ? { variables: templates.data.variables } : {}),
  });
  const options = (templates.data?.templates ?? []).map((template) => {
    const lang = templateLanguage(template, chosenLanguage);
    return {
      id: template.id,
      title: template.title[lang] ?? template.title.en ?? template.id,
      text: fillTemplate(template.text[lang] ?? '', values),
      fallback: lang !== chosenLanguage,
    };
  });

  const [active, setActive] = useState(0);
  const listRef = useRef<HTMLUListElement>(null);
  const ready = options.length > 0 && !patient.isPending;
  useEffect(() => {
    if (ready) listRef.current?.focus();
  }, [ready]);

  const onKeyDown = (event: KeyboardEvent<HTMLElement>): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
      return;
    }
    if (event.target !== listRef.current) return;
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      Home: 0,
      End: options.length - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      setActive(Math.max(0, Math.min(options.length - 1, target)));
    } else if (event.key === 'Enter' || event.key === ' ') {
      const option = options[active];
      if (option) {
        event.preventDefault();
        onChoose(option.text);
      }
    }
  };

  return (
    <div className="templates" role="dialog" aria-label="Message templates" onKeyDown={onKeyDown}>
      <div className="templates__head">
        <span className="templates__title" id={`${ids}-title`}>
          Templates
        </span>
        {languages.length > 1 && (
          <span className="templates__languages" role="radiogroup" aria-label="Language">
            {languages.map((lang) => (
              <label key={lang}>
                <input
                  type="radio"
                  name={`${ids}-lang`}
                  checked={chosenLanguage === lang}
                  onChange={() => setLanguage(lang)}
                />
                {LANGUAGE_NAMES[lang] ?? lang}
                {lang === preferred && lang !== 'en' ? ' (preferred)' : ''}
              </label>
            ))}
          </span>
        )}
        <button type="button" className="link-button" onClick={onClose}>
          Close
        </button>
      </div>
      {templates.isPending && <p className="templates__note">Loading templates…</p>}
      {templates.isError && (
        <p className="templates__note templates__note--error" role="alert">
          {templates.error.message}
        </p>
      )}
      {options.length > 0 && (
        <ul
          ref={listRef}
          className="templates__list"
          role="listbox"
          aria-labelledby={`${ids}-title`}
          tabIndex={0}
          aria-activedescendant={`${ids}-${active}`}
        >
          {options.map((option, index) => (
            <li
              key={option.id}
              id={`${ids}-${index}`}
              role="option"
              aria-selected={index === active}
              className={`templates__option${index === active ? ' templates__option--active' : ''}`}
              onMouseEnter={() => setActive(index)}
              onClick={() => onChoose(option.text)}
            >
              <span className="templates__name">
                {option.title}
                {option.fallback ? ' (English only)' : ''}
              </span>
              <span className="templates__preview">
                <MarkedText text={option.text} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
