/**
 * A RelayContext over the in-memory EHR and the fake Twilio, with builders for the resources domain tests need.
 */
import type { Communication, Patient } from '@medplum/fhirtypes';
import { threadKey } from '../../../fhir-profiles/threadKey';
import { validateChartTextResource } from '../../../fhir-profiles/validate';
import { IDENTIFIER_SYSTEMS } from '../../../fhir-profiles/vocabulary';
import { pendingOutbound } from '../../fixtures/messages';
import { identifierQuery, threadHeader } from '../../../server/relay/fileInbound';
import type { FaultPoints, RelayContext, RelayLog, RelaySettings } from '../../../server/relay/context';
import { createFakeSmsGateway, type FakeSmsGateway } from './fakeSmsGateway';
import { createMemoryFhirStore, type MemoryFhirStore } from './memoryFhirStore';

export const PRACTICE_NUMBER = '+12015550100';
export const PRACTICE_ORG = 'Organization/practice';

export interface TestContext extends RelayContext {
  fhir: MemoryFhirStore;
  sms: FakeSmsGateway;
  lines: { level: string; fields: object; message: string }[];
}

/** Settings with short timeouts, for tests. */
export function testSettings(overrides: Partial<RelaySettings> = {}): RelaySettings {
  return {
    practiceNumber: PRACTICE_NUMBER,
    practiceOrganization: PRACTICE_ORG,
    publicBaseUrl: 'https://relay.example.org',
    region: 'US',
    keywordReplies: 'relay',
    claimTimeoutMs: 0,
    sendDeadlineMs: 60_000,
    stuckAfterMs: 0,
    reconcileLookbackMs: 3_600_000,
    sendRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 },
    sendConcurrency: 8,
    pageSize: 50,
    ...overrides,
  };
}

/** A fresh context; `faults` defaults to none. */
export function createTestContext(
  options: { settings?: Partial<RelaySettings>; faults?: FaultPoints } = {},
): TestContext {
  const lines: TestContext['lines'] = [];
  const record =
    (level: string): RelayLog['info'] =>
    (fields, message) => {
      lines.push({ level, fields, message });
    };
  return {
    fhir: createMemoryFhirStore(),
    sms: createFakeSmsGateway(PRACTICE_NUMBER),
    settings: testSettings(options.settings),
    clock: { now: () => new Date(), sleep: () => Promise.resolve() },
    log: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    faults: options.faults ?? (() => undefined),
    lines,
  };
}

/** Stores a patient with one phone number. */
export async function seedPatient(
  ctx: TestContext,
  id: string,
  phone: string | undefined,
  use: 'mobile' | 'home' = 'mobile',
): Promise<Patient> {
  return ctx.fhir.seed<Patient>({
    resourceType: 'Patient',
    id,
    name: [{ given: ['Test'], family: id }],
    ...(phone ? { telecom: [{ system: 'phone', use, value: phone }] } : {}),
  });
}

/** The patient's thread header (created once). */
export async function seedThread(ctx: TestContext, patientId: string): Promise<Communication> {
  const { resource } = await ctx.fhir.create(
    threadHeader(`Patient/${patientId}`, `Patient/${patientId}`, ctx.settings.practiceNumber),
    {
      ifNoneExist: identifierQuery(
        IDENTIFIER_SYSTEMS.thread,
        threadKey(`Patient/${patientId}`, ctx.settings.practiceNumber),
      ),
    },
  );
  return resource;
}

/** Stores an outbound message waiting for the relay, as the client writes it. */
export async function seedPending(ctx: TestContext, patientId: string, body: string): Promise<Communication> {
  const thread = await seedThread(ctx, patientId);
  return ctx.fhir.seed<Communication>(pendingOutbound({ patientId, thread: `Communication/${thread.id ?? ''}`, body }));
}

/** Every Communication, Task and Consent in the store that fails ChartText's profiles, with its issues. */
export async function invalidResources(ctx: TestContext): Promise<{ reference: string; issues: string[] }[]> {
  const problems: { reference: string; issues: string[] }[] = [];
  for (const type of ['Communication', 'Task', 'Consent'] as const) {
    const bundle = await ctx.fhir.search(type, { _count: '1000' });
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource;
      if (!resource) continue;
      const outcome = validateChartTextResource(resource, { inferProfile: true });
      if (outcome) {
        problems.push({
          reference: `${resource.resourceType}/${resource.id ?? ''}`,
          issues: (outcome.issue ?? []).map(
            (issue) => `${issue.expression?.join(',') ?? ''}: ${issue.details?.text ?? issue.diagnostics ?? ''}`,
          ),
        });
      }
    }
  }
  return problems;
}
