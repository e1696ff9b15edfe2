/**
 * The doctor's checks of the EHR's CapabilityStatement (`<fhir base>/metadata`,
 * https://hl7.org/fhir/R4/capabilitystatement.html) against ChartText's requirements (fhir-profiles/requirements.ts):
 * per resource type the interactions and searches, then conditional create (If-None-Exist) and versioned update
 * (If-Match). A missing SHALL fails, a missing SHOULD or MAY warns. Pure: the statement in, report rows out.
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { EHR_REQUIREMENTS, type Expectation, type ResourceRequirement } from '../../fhir-profiles/requirements';
import { fail, pass, warn, type CheckResult } from './checkResult';

const INTERACTION_WORDS: Record<string, string> = {
  read: 'read',
  create: 'create',
  update: 'update',
  'search-type': 'search',
};

/** What it means when a resource type lacks something ChartText needs, and what to do. */
const CONSEQUENCES: Partial<Record<string, string>> = {
  Communication:
    'ChartText keeps every message as a Communication in the EHR: without these it cannot run against this FHIR ' +
    'server. See docs/registration.md (what the EHR must support, and the notes per EHR) and check with your vendor.',
  Consent: 'The relay checks SMS consent before every send and records STOP/START as Consent.',
  Task: 'The needs-response queue and the triage of unknown numbers are Tasks.',
  Subscription: 'Optional: without it the relay finds new messages through nudges and its sweep (seconds later).',
};

interface Missing {
  expectation: Expectation;
  what: string;
}

function findResource(statement: CapabilityStatement, type: string): CapabilityStatementRestResource | undefined {
  const server = (statement.rest ?? []).find((rest) => rest.mode === 'server') ?? statement.rest?.[0];
  return server?.resource?.find((resource) => resource.type === type);
}

function globalSearchParams(statement: CapabilityStatement): Set<string> {
  return new Set((statement.rest ?? []).flatMap((rest) => (rest.searchParam ?? []).map((param) => param.name)));
}

function missingOf(
  requirement: ResourceRequirement,
  resource: CapabilityStatementRestResource | undefined,
  global: Set<string>,
): Missing[] {
  const interactions = new Set((resource?.interaction ?? []).map((interaction) => interaction.code));
  const params = new Set([...(resource?.searchParam ?? []).map((param) => param.name), ...global]);
  return [
    ...requirement.interactions
      .filter((interaction) => !interactions.has(interaction.code))
      .map((interaction) => ({
        expectation: interaction.expectation,
        what: INTERACTION_WORDS[interaction.code] ?? interaction.code,
      })),
    ...(interactions.has('search-type')
      ? (requirement.search ?? [])
          .filter((search) => !params.has(search.name))
          .map((search) => ({ expectation: search.expectation, what: `search by ${search.name}` }))
      : []),
  ];
}

const worst = (missing: readonly Missing[]): Expectation | undefined =>
  (['SHALL', 'SHOULD', 'MAY'] as const).find((expectation) => missing.some((m) => m.expectation === expectation));

function checkResourceType(
  requirement: ResourceRequirement,
  statement: CapabilityStatement,
  global: Set<string>,
): CheckResult {
  const check = `FHIR ${requirement.type}`;
  const resource = findResource(statement, requirement.type);
  const missing = missingOf(requirement, resource, global);
  const level = worst(missing);
  if (!level) {
    const searches = requirement.search?.length ?? 0;
    return pass(
      check,
      `${requirement.interactions.map((i) => INTERACTION_WORDS[i.code]).join(', ')}` +
        (searches ? `; ${searches} search parameter${searches === 1 ? '' : 's'}` : ''),
    );
  }
  const byLevel = (expectation: Expectation): string =>
    missing
      .filter((m) => m.expectation === expectation)
      .map((m) => m.what)
      .join(', ');
  const detail = [
    !resource && 'not in the CapabilityStatement',
    byLevel('SHALL') && `missing (needed): ${byLevel('SHALL')}`,
    byLevel('SHOULD') && `missing (recommended): ${byLevel('SHOULD')}`,
    byLevel('MAY') && `missing (optional): ${byLevel('MAY')}`,
  ]
    .filter(Boolean)
    .join('; ');
  const fix =
    CONSEQUENCES[requirement.type] ??
    `Ask your EHR vendor whether these can be enabled for ChartText's clients (docs/registration.md lists why each is used).`;
  return level === 'SHALL' ? fail(check, detail, fix) : warn(check, detail, fix);
}

function checkConditionalCreate(requirement: ResourceRequirement, statement: CapabilityStatement): CheckResult[] {
  if (!requirement.conditionalCreate) return [];
  const check = `Conditional create ${requirement.type}`;
  const resource = findResource(statement, requirement.type);
  if (resource?.conditionalCreate === true) return [pass(check, 'If-None-Exist supported')];
  const detail = `conditionalCreate is not true (${requirement.conditionalCreate.why})`;
  const fix =
    'The relay creates with If-None-Exist so a replayed Twilio webhook creates nothing twice; ask your EHR vendor ' +
    'whether conditional create is supported (some servers support it without saying so: check with your vendor).';
  return [requirement.conditionalCreate.expectation === 'SHALL' ? fail(check, detail, fix) : warn(check, detail, fix)];
}

function checkVersionedUpdate(requirement: ResourceRequirement, statement: CapabilityStatement): CheckResult[] {
  if (!requirement.versionedUpdate) return [];
  const check = `Versioned update ${requirement.type}`;
  const resource = findResource(statement, requirement.type);
  if (resource?.versioning === 'versioned-update') return [pass(check, 'If-Match supported (versioned-update)')];
  const detail = `versioning is ${resource?.versioning ?? 'not stated'}, not versioned-update (${requirement.versionedUpdate.why})`;
  const fix =
    'The relay claims each message with an If-Match update so two relays never send it twice; ask your EHR vendor ' +
    'whether If-Match (versioned update) is supported.';
  return [requirement.versionedUpdate.expectation === 'SHALL' ? fail(check, detail, fix) : warn(check, detail, fix)];
}

/** Every CapabilityStatement check for `document` (pure). */
export function checkCapabilityStatement(
  document: unknown,
  options: { subscription: 'auto' | 'off' } = { subscription: 'off' },
  requirements: readonly ResourceRequirement[] = EHR_REQUIREMENTS,
): CheckResult[] {
  const statement = document as CapabilityStatement | undefined;
  if (statement?.resourceType !== 'CapabilityStatement') {
    return [
      fail(
        'CapabilityStatement',
        '<base>/metadata did not return a CapabilityStatement',
        'Check the FHIR base URL (--fhir): it must be the FHIR R4 base, whose /metadata describes the server.',
      ),
    ];
  }
  const rows: CheckResult[] = [];
  rows.push(
    statement.fhirVersion?.startsWith('4.0')
      ? pass('FHIR version', statement.fhirVersion)
      : fail(
          'FHIR version',
          `fhirVersion is ${statement.fhirVersion ?? 'not stated'}`,
          'ChartText speaks FHIR R4 (4.0.x): use the EHR’s R4 base URL.',
        ),
  );
  const global = globalSearchParams(statement);
  for (const requirement of requirements) {
    rows.push(checkResourceType(requirement, statement, global));
    rows.push(...checkConditionalCreate(requirement, statement));
    rows.push(...checkVersionedUpdate(requirement, statement));
  }
  const subscription = findResource(statement, 'Subscription');
  if (options.subscription === 'auto' && !subscription?.interaction?.some((i) => i.code === 'create')) {
    rows.push(
      warn(
        'FHIR_SUBSCRIPTION=auto',
        'the EHR offers no Subscription create',
        'Set FHIR_SUBSCRIPTION=off: the relay finds pending messages through nudges and its sweep.',
      ),
    );
  }
  return rows;
}
