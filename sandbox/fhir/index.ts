/**
 * The sandbox FHIR R4 server, for the lead to compose into the sandbox app:
 *
 * ```ts
 * const store = await openStore({ dataDir: '.data/sandbox', seed: () => buildSeed(new Date()) });
 * app.use('/fhir', createFhirRouter({ baseUrl: 'http://127.0.0.1:3001/fhir', store, verifyAccessToken, smartConfiguration }));
 * // npm run sandbox:reset → await resetStore({ dataDir, seed }) (or store.reset() while running)
 * // shutdown → await store.close()
 * ```
 */
export { createFhirRouter } from './createFhirRouter';
export type { FhirRouterOptions } from './createFhirRouter';
export type { ValidateHook } from './validateWrite';
export { structuralIssues, validateWrite } from './validateWrite';
export { parseScope, ScopeAccess } from './scopeAccess';
export type { Permission, ParsedScope, Reach } from './scopeAccess';
export { openStore, resetStore } from '../store/openStore';
export type { OpenStoreOptions, SandboxStore } from '../store/openStore';
export { SandboxRepository } from '../store/SandboxRepository';
export { parseSearchQuery } from '../store/parseSearchQuery';
export type { SearchQuery } from '../store/parseSearchQuery';
export { fhirFetch, startFhirTestServer } from './startFhirTestServer';
export type { FhirTestResponse, FhirTestServer, FhirTestServerOptions } from './startFhirTestServer';
