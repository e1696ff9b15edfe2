/**
 * The SMART scopes that follow from fhir-profiles/requirements.ts, for the registration guide and the preflight.
 * Scope syntax: https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
 */
import { type Actor, EHR_REQUIREMENTS, type Expectation, type Interaction } from './requirements';

const V2_LETTERS: Record<Interaction, string> = { create: 'c', read: 'r', update: 'u', 'search-type': 's' };

/**
 * The SMART scopes that cover an actor's interactions, e.g. `requiredScopes('relay', 'system', 'v2')` →
 * `system/Communication.crus`, … (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html).
 * v1 syntax maps read and search to `.read`, create and update to `.write`.
 */
export function requiredScopes(
  actor: Actor,
  context: 'patient' | 'user' | 'system',
  syntax: 'v1' | 'v2',
  expectations: readonly Expectation[] = ['SHALL', 'SHOULD'],
): string[] {
  return EHR_REQUIREMENTS.flatMap((req) => {
    const used = req.interactions.filter((i) => i.actors.includes(actor) && expectations.includes(i.expectation));
    if (used.length === 0) return [];
    if (syntax === 'v2') {
      const letters = 'crus'
        .split('')
        .filter((letter) => used.some((i) => V2_LETTERS[i.code] === letter))
        .join('');
      return [`${context}/${req.type}.${letters}`];
    }
    const read = used.some((i) => i.code === 'read' || i.code === 'search-type');
    const write = used.some((i) => i.code === 'create' || i.code === 'update');
    return [...(read ? [`${context}/${req.type}.read`] : []), ...(write ? [`${context}/${req.type}.write`] : [])];
  });
}
