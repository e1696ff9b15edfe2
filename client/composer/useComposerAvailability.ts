/**
 * Reads what the composer needs to decide whether texting is possible: the patient (telecom) and their SMS
 * Consents, checked against the granted scopes.
 */
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../app/sessionContext';
import { APP_CONFIG } from '../config';
import { patientQuery, smsConsentQuery } from '../thread/threadQueries';
import { composerAvailability, type Availability } from './composerAvailability';

export type AvailabilityState =
  | { status: 'loading' }
  | { status: 'error'; error: Error; what: string }
  | { status: 'ready'; availability: Availability };

/**
 * Whether the composer can send to this patient, and why not. `enabled` lets the thread's first page go first: the
 * thread is what the user looks at first, and the composer needs a few milliseconds more at most.
 */
export function useComposerAvailability(patientId: string, enabled = true): AvailabilityState {
  const session = useSession();
  const patient = useQuery({ ...patientQuery(session, patientId), enabled });
  const consents = useQuery({ ...smsConsentQuery(session, patientId), enabled });
  if (patient.error) return { status: 'error', error: patient.error, what: 'read the patient’s phone numbers' };
  if (consents.error) return { status: 'error', error: consents.error, what: 'check the patient’s SMS consent' };
  if (!patient.data || !consents.data) return { status: 'loading' };
  return {
    status: 'ready',
    availability: composerAvailability({
      patient: patient.data,
      consents: consents.data,
      scopes: session.grant.scopes,
      scopeForm: APP_CONFIG.scopeForm,
    }),
  };
}
