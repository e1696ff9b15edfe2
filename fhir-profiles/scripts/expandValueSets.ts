/**
 * Expands, at build time, every value set that a ChartText definition binds `required`, so the validator can check
 * codes synchronously without a terminology server (docs/decisions/032-validation-on-top-of-medplum.md).
 * Only enumerable value sets are expanded (explicit concepts, or whole complete code systems); value sets defined by
 * filters or by external systems (BCP-47, MIME types, UCUM) are left out and their bindings are not checked.
 * See https://hl7.org/fhir/R4/valueset.html#compositions for the compose rules followed here.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CodeSystem, CodeSystemConcept, StructureDefinition, ValueSet } from '@medplum/fhirtypes';

/** A code of an expansion. */
interface Code {
  system: string;
  code: string;
  display?: string;
}

type Resolver = <T extends CodeSystem | ValueSet>(
  resourceType: T['resourceType'],
  url: string,
) => Promise<T | undefined>;

/** Resolves canonical URLs first among ChartText's own resources, then in the offline core package (via .index.json). */
export async function createResolver(own: (CodeSystem | ValueSet)[], corePackageDir: string): Promise<Resolver> {
  const index = JSON.parse(await readFile(join(corePackageDir, 'package', '.index.json'), 'utf8')) as {
    files: { filename: string; resourceType: string; url?: string }[];
  };
  const coreFiles = new Map(index.files.filter((f) => f.url).map((f) => [`${f.resourceType}|${f.url}`, f.filename]));
  return async <T extends CodeSystem | ValueSet>(resourceType: T['resourceType'], url: string) => {
    const local = own.find((r) => r.resourceType === resourceType && r.url === url);
    if (local) return local as T;
    const file = coreFiles.get(`${resourceType}|${url}`);
    if (!file) return undefined;
    return JSON.parse(await readFile(join(corePackageDir, 'package', file), 'utf8')) as T;
  };
}

function flatten(concepts: CodeSystemConcept[] | undefined, system: string): Code[] {
  return (concepts ?? []).flatMap((c) => [
    { system, code: c.code, ...(c.display ? { display: c.display } : {}) },
    ...flatten(c.concept, system),
  ]);
}

async function expandCompose(valueSet: ValueSet, resolve: Resolver, seen: Set<string>): Promise<Code[] | undefined> {
  const compose = valueSet.compose;
  if (!compose?.include.length) return undefined;
  const included: Code[] = [];
  for (const include of compose.include) {
    if (include.filter?.length) return undefined;
    if (include.valueSet?.length) {
      if (include.system) return undefined; // intersection: not needed by ChartText
      for (const url of include.valueSet) {
        const codes = await expandUrl(url, resolve, seen);
        if (!codes) return undefined;
        included.push(...codes);
      }
      continue;
    }
    if (!include.system) return undefined;
    if (include.concept?.length) {
      included.push(
        ...include.concept.map((c) => ({
          system: include.system as string,
          code: c.code,
          ...(c.display ? { display: c.display } : {}),
        })),
      );
      continue;
    }
    const codeSystem = await resolve<CodeSystem>('CodeSystem', include.system);
    if (!codeSystem || codeSystem.content !== 'complete') return undefined;
    included.push(...flatten(codeSystem.concept, include.system));
  }
  for (const exclude of compose.exclude ?? []) {
    if (!exclude.system || !exclude.concept?.length || exclude.filter?.length || exclude.valueSet?.length) {
      return undefined;
    }
    const excluded = new Set(exclude.concept.map((c) => `${exclude.system}|${c.code}`));
    for (let i = included.length - 1; i >= 0; i--) {
      const code = included[i];
      if (code && excluded.has(`${code.system}|${code.code}`)) included.splice(i, 1);
    }
  }
  return included;
}

async function expandUrl(url: string, resolve: Resolver, seen: Set<string>): Promise<Code[] | undefined> {
  if (seen.has(url)) return undefined;
  const valueSet = await resolve<ValueSet>('ValueSet', url);
  if (!valueSet) return undefined;
  return expandCompose(valueSet, resolve, new Set([...seen, url]));
}

/** Canonical URLs (without version) of the value sets bound `required` in the given definitions' snapshots. */
export function requiredValueSets(definitions: StructureDefinition[]): string[] {
  const urls = new Set<string>();
  for (const sd of definitions) {
    for (const element of sd.snapshot?.element ?? []) {
      const binding = element.binding;
      if (binding?.strength === 'required' && binding.valueSet) urls.add(binding.valueSet.split('|')[0] as string);
    }
  }
  return [...urls].sort();
}

/** ValueSets with `expansion.contains`, one for each required-bound value set that can be enumerated. */
export async function expandRequiredValueSets(
  definitions: StructureDefinition[],
  resolve: Resolver,
  timestamp: string,
): Promise<{ expanded: ValueSet[]; skipped: string[] }> {
  const expanded: ValueSet[] = [];
  const skipped: string[] = [];
  for (const url of requiredValueSets(definitions)) {
    const codes = await expandUrl(url, resolve, new Set());
    if (!codes) {
      skipped.push(url);
      continue;
    }
    expanded.push({
      resourceType: 'ValueSet',
      url,
      status: 'active',
      expansion: { timestamp, total: codes.length, contains: codes },
    });
  }
  return { expanded, skipped };
}
