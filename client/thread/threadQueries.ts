/**
 * The reads behind a thread: one key factory per resource kind and one `queryOptions` per query
 * (https://tanstack.com/query/v5/docs/framework/react/guides/query-options). Search parameters are built here so
 * the requests the thread makes can be read in one place.
 */
import type {
  Bundle,
  Communication,
  Consent,
  Organization,
  Patient,
  Practitioner,
  RelatedPerson,
  Task,
} from '@medplum/fhirtypes';
import {
  infiniteQueryOptions,
  queryOptions,
  type InfiniteData,
  type QueryKey,
  type QueryKeyWithDataTag,
  type UndefinedInitialDataInfiniteOptions,
  type UndefinedInitialDataOptions,
} from '@tanstack/react-query';
import { APP_CONFIG } from '../config';
import { EXTENSIONS, TOKENS } from '../../fhir-profiles/vocabulary';
import { isE164 } from '../../fhir-profiles/threadKey';
import type { FhirSession } from '../fhir/smartClient';
import { formatName, readThreadPage, type ThreadPage } from './messageModel';
import { threadPageSearch } from './threadSearches';
import { ensureThreadHeader } from './sendMessage';

/** What `queryOptions` returns for a query of `T` under key `K` (for explicit return types). */
export type Query<T, K extends QueryKey> = UndefinedInitialDataOptions<T, Error, T, K> &
  QueryKeyWithDataTag<K, T, Error>;

export const patientKeys = {
  all: ['Patient'] as const,
  detail: (patientId: string) => [...patientKeys.all, patientId] as const,
};

export const consentKeys = {
  all: ['Consent'] as const,
  sms: (patientId: string) => [...consentKeys.all, 'sms', patientId] as const,
};

export const organizationKeys = {
  all: ['Organization'] as const,
  detail: (organizationId: string) => [...organizationKeys.all, organizationId] as const,
};

export const communicationKeys = {
  all: ['Communication'] as const,
  thread: (patientId: string) => [...communicationKeys.all, 'thread', patientId] as const,
  header: (patientId: string, practiceNumber: string) =>
    [...communicationKeys.all, 'header', patientId, practiceNumber] as const,
};

export const taskKeys = {
  all: ['Task'] as const,
  needsResponse: (patientId: string) => [...taskKeys.all, 'needs-response', patientId] as const,
};

/** Task statuses that mean "still open" (https://hl7.org/fhir/R4/valueset-task-status.html). */
export const OPEN_TASK_STATUSES = ['requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold'] as const;

export const senderKeys = {
  detail: (reference: string) => ['Sender', reference] as const,
};

/** The display name of a sender the thread's pages did not include (one read per sender, cached). */
export function senderNameQuery(
  session: FhirSession,
  reference: string,
): Query<string | null, ReturnType<typeof senderKeys.detail>> {
  return queryOptions({
    queryKey: senderKeys.detail(reference),
    queryFn: async ({ signal }) => {
      const [type, id] = reference.split('/');
      if (
        !id ||
        !(type === 'Patient' || type === 'Practitioner' || type === 'RelatedPerson' || type === 'Organization')
      ) {
        return null;
      }
      const person = await session.read<Patient | Practitioner | RelatedPerson | Organization>(type, id, signal);
      return (person.resourceType === 'Organization' ? person.name : formatName(person.name)) ?? null;
    },
    staleTime: Infinity,
    retry: false,
  });
}

/** The launch patient (banner, telecom for the composer). */
export function patientQuery(
  session: FhirSession,
  patientId: string,
): Query<Patient, ReturnType<typeof patientKeys.detail>> {
  return queryOptions({
    queryKey: patientKeys.detail(patientId),
    queryFn: ({ signal }) => session.read<Patient>('Patient', patientId, signal),
    staleTime: 5 * 60_000,
  });
}

/** The patient's active SMS Consents (the latest decides). */
export function smsConsentQuery(
  session: FhirSession,
  patientId: string,
): Query<Consent[], ReturnType<typeof consentKeys.sms>> {
  return queryOptions({
    queryKey: consentKeys.sms(patientId),
    queryFn: async ({ signal }): Promise<Consent[]> => {
      const params = new URLSearchParams([
        ['patient', `Patient/${patientId}`],
        ['category', TOKENS.smsConsent],
        ['status', 'active'],
        ['_count', '20'],
      ]);
      const bundle = await session.search<Consent>('Consent', params, signal);
      return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Consent => r?.resourceType === 'Consent');
    },
    staleTime: 60_000,
    refetchInterval: 60_000,
  });
}

/** The practice's SMS number from its Organization (telecom flagged practice-sms-number), in E.164. */
export function practiceNumberOf(organization: Organization): string {
  const point = organization.telecom?.find((t) =>
    t.extension?.some((e) => e.url === EXTENSIONS.practiceSmsNumber && e.valueBoolean === true),
  );
  const compact = point?.value?.replace(/[\s().-]/g, '') ?? '';
  if (!isE164(compact)) {
    throw new Error(
      `The practice SMS number in the EHR (Organization/${organization.id ?? '?'}) is missing or not in E.164 form (e.g. +12015550100). Ask your EHR administrator to fix it.`,
    );
  }
  return compact;
}

/** The practice SMS number (E.164): half of the thread key. */
export function practiceNumberQuery(
  session: FhirSession,
  organizationId: string,
): Query<string, ReturnType<typeof organizationKeys.detail>> {
  return queryOptions({
    queryKey: organizationKeys.detail(organizationId),
    queryFn: async ({ signal }) =>
      practiceNumberOf(await session.read<Organization>('Organization', organizationId, signal)),
    staleTime: Infinity,
  });
}

type ThreadKey = ReturnType<typeof communicationKeys.thread>;

/** The thread, page by page from the latest; `next` links lead to older pages. */
export function threadQuery(
  session: FhirSession,
  patientId: string,
): UndefinedInitialDataInfiniteOptions<
  ThreadPage,
  Error,
  InfiniteData<ThreadPage, string | undefined>,
  ThreadKey,
  string | undefined
> &
  QueryKeyWithDataTag<ThreadKey, InfiniteData<ThreadPage>, Error> {
  return infiniteQueryOptions({
    queryKey: communicationKeys.thread(patientId),
    queryFn: async ({ pageParam, signal }): Promise<ThreadPage> => {
      const bundle: Bundle = pageParam
        ? await session.followLink(pageParam, signal)
        : await session.search<Communication>(
            'Communication',
            threadPageSearch(patientId, APP_CONFIG.pageSize),
            signal,
          );
      return readThreadPage(bundle);
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next,
    // Live updates arrive through the poll; refetching every loaded page would cost a request per page.
    staleTime: Infinity,
  });
}

/** The thread's open needs-response Task, if any (created by the relay on inbound). */
export function needsResponseTaskQuery(
  session: FhirSession,
  patientId: string,
): Query<Task | null, ReturnType<typeof taskKeys.needsResponse>> {
  return queryOptions({
    queryKey: taskKeys.needsResponse(patientId),
    queryFn: async ({ signal }): Promise<Task | null> => {
      const params = new URLSearchParams([
        ['patient', `Patient/${patientId}`],
        ['code', TOKENS.needsResponse],
        ['status', OPEN_TASK_STATUSES.join(',')],
        ['_count', '10'],
      ]);
      const bundle = await session.search<Task>('Task', params, signal);
      const tasks = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Task => r?.resourceType === 'Task');
      return tasks[0] ?? null;
    },
    staleTime: 30_000,
  });
}

/** The thread header (found, or created once) for the patient and practice number. */
export function threadHeaderQuery(
  session: FhirSession,
  patientId: string,
  practiceNumber: string,
): Query<Communication & { id: string }, ReturnType<typeof communicationKeys.header>> {
  return queryOptions({
    queryKey: communicationKeys.header(patientId, practiceNumber),
    queryFn: () => ensureThreadHeader(session, patientId, practiceNumber),
    staleTime: Infinity,
  });
}
