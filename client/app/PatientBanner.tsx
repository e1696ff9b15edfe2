/**
 * The patient banner, shown only when the EHR says it does not show one (`need_patient_banner`): name, birth date
 * and MRN, so the user always knows whose thread this is.
 */
import type { Patient } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { CODES, EXTERNAL_SYSTEMS } from '../../fhir-profiles/vocabulary';
import { formatName } from '../thread/messageModel';
import { patientQuery } from '../thread/threadQueries';
import { useSession } from './sessionContext';

/** The MRN: the identifier typed MR (v2-0203), else the first identifier. */
export function mrnOf(patient: Patient): string | undefined {
  const typed = patient.identifier?.find((i) =>
    i.type?.coding?.some((c) => c.system === EXTERNAL_SYSTEMS.v2IdentifierType && c.code === CODES.identifierType.mrn),
  );
  return (typed ?? patient.identifier?.[0])?.value;
}

/** "Apr 12, 1968 (58 y)". */
export function birthDateLabel(birthDate: string, now = new Date()): string {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number | undefined, number | undefined];
  const date = new Date(Date.UTC(y, (m ?? 1) - 1, d ?? 1));
  const shown = new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: m ? 'short' : undefined,
    day: d ? 'numeric' : undefined,
    timeZone: 'UTC',
  }).format(date);
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < (m ?? 1) || (now.getUTCMonth() + 1 === (m ?? 1) && now.getUTCDate() < (d ?? 1))) age--;
  return `${shown} (${age} y)`;
}

/** The banner for the launch patient. */
export function PatientBanner({ patientId }: { patientId: string }): ReactNode {
  const session = useSession();
  const patient = useQuery(patientQuery(session, patientId));
  if (!patient.data) {
    return (
      <header className="banner" aria-label="Patient" aria-busy={patient.isPending}>
        <span className="banner__name">{patient.isPending ? 'Loading patient…' : 'Patient details unavailable'}</span>
      </header>
    );
  }
  const name = formatName(patient.data.name) ?? 'Unnamed patient';
  const mrn = mrnOf(patient.data);
  return (
    <header className="banner" aria-label="Patient">
      <span className="banner__name">{name}</span>
      {patient.data.birthDate && (
        <span className="banner__item">
          <span className="banner__label">Born</span> {birthDateLabel(patient.data.birthDate)}
        </span>
      )}
      {mrn && (
        <span className="banner__item">
          <span className="banner__label">MRN</span> {mrn}
        </span>
      )}
    </header>
  );
}
