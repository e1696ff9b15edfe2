/**
 * Whether a list of scopes (an EHR's `scopes_supported`, or the `scope` a token response granted) covers a scope
 * ChartText needs, in SMART v2 (`patient/Task.rus`) or only in v1 spellings (`patient/Task.read patient/Task.write`).
 * Wildcards count (`patient/*.cruds`), and several entries may add up (`.rs` + `.cu` covers `.crus`).
 * https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
 */

/** How a needed scope is covered. */
export type Coverage = 'v2' | 'v1' | 'missing';

interface ResourceScope {
  level: string;
  type: string;
  letters: string;
  v1: boolean;
}

const RESOURCE_SCOPE = /^(patient|user|system)\/([A-Za-z]+|\*)\.(\*|read|write|c?r?u?d?s?)$/;

function parse(scope: string): ResourceScope | undefined {
  const match = RESOURCE_SCOPE.exec(scope);
  if (!match) return undefined;
  const [, level = '', type = '', permissions = ''] = match;
  if (permissions === '') return undefined;
  const v1 = permissions === 'read' || permissions === 'write' || permissions === '*';
  const letters =
    permissions === 'read' ? 'rs' : permissions === 'write' ? 'cud' : permissions === '*' ? 'cruds' : permissions;
  return { level, type, letters, v1 };
}

const lettersOf = (scopes: readonly ResourceScope[]): Set<string> =>
  new Set(scopes.flatMap((scope) => [...scope.letters]));

/** How `needed` is covered by `available` (pure). Non-resource scopes (openid, launch) must be listed as they are. */
export function coverage(needed: string, available: readonly string[]): Coverage {
  const want = parse(needed);
  if (!want) return available.includes(needed) ? 'v2' : 'missing';
  const candidates = available
    .map(parse)
    .filter(
      (scope): scope is ResourceScope =>
        scope !== undefined && scope.level === want.level && (scope.type === want.type || scope.type === '*'),
    );
  const covers = (have: Set<string>): boolean => [...want.letters].every((letter) => have.has(letter));
  if (covers(lettersOf(candidates.filter((scope) => !scope.v1)))) return 'v2';
  if (covers(lettersOf(candidates))) return 'v1';
  return 'missing';
}

/** The needed scopes grouped by how `available` covers them (pure). */
export function coverageOf(needed: readonly string[], available: readonly string[]): Record<Coverage, string[]> {
  const result: Record<Coverage, string[]> = { v2: [], v1: [], missing: [] };
  for (const scope of needed) result[coverage(scope, available)].push(scope);
  return result;
}
