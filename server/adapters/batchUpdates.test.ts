/**
 * Versioned updates batched under concurrency (docs/decisions/094), against a transport that behaves like a FHIR
 * server: each entry answered on its own, If-Match honoured per entry.
 */
import { preconditionFailed } from '@medplum/core';
import type { Bundle, BundleEntry, CapabilityStatement, Communication, Resource } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { FhirStoreError, isVersionConflict } from '../relay/fhirStore';
import { createUpdateBatcher, type UpdateTransport } from './batchUpdates';

interface FakeEhr extends UpdateTransport {
  puts: number;
  batches: number[];
  stored: Map<string, Resource>;
}

function fakeEhr(options: { offersBatch?: boolean; refusesBatch?: boolean; latencyMs?: number } = {}): FakeEhr {
  const stored = new Map<string, Resource>();
  const write = (resource: Resource, ifMatch: string | undefined): Resource => {
    const current = stored.get(resource.id ?? '');
    if (ifMatch !== undefined && current?.meta?.versionId !== ifMatch) {
      throw new FhirStoreError(412, preconditionFailed);
    }
    const next = { ...resource, meta: { versionId: String(Number(current?.meta?.versionId ?? 0) + 1) } };
    stored.set(resource.id ?? '', next);
    return next;
  };
  const later = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 5));
  const ehr: FakeEhr = {
    puts: 0,
    batches: [],
    stored,
    async put<T extends Resource>(resource: T, ifMatch: string | undefined): Promise<T> {
      ehr.puts++;
      await later();
      return write(resource, ifMatch) as T;
    },
    async batch(bundle: Bundle): Promise<Bundle> {
      await later();
      if (options.refusesBatch) throw new FhirStoreError(405, preconditionFailed);
      ehr.batches.push(bundle.entry?.length ?? 0);
      const entry = (bundle.entry ?? []).map((e): BundleEntry => {
        const ifMatch = /"(.+)"/.exec(e.request?.ifMatch ?? '')?.[1];
        try {
          return { resource: write(e.resource as Resource, ifMatch), response: { status: '200 OK' } };
        } catch {
          return { response: { status: '412 Precondition Failed', outcome: preconditionFailed } };
        }
      });
      return { resourceType: 'Bundle', type: 'batch-response', entry };
    },
    vread: () => Promise.reject(new Error('not used')),
    capabilities: () =>
      Promise.resolve({
        resourceType: 'CapabilityStatement',
        rest: [{ mode: 'server', interaction: options.offersBatch === false ? [] : [{ code: 'batch' }] }],
      } as unknown as CapabilityStatement),
  };
  return ehr;
}

const message = (id: string, versionId: string): Communication => ({
  resourceType: 'Communication',
  id,
  status: 'in-progress',
  meta: { versionId },
});

function seed(ehr: FakeEhr, count: number): Communication[] {
  return Array.from({ length: count }, (_, i) => {
    const resource = message(`m${i}`, '1');
    ehr.stored.set(resource.id ?? '', resource);
    return resource;
  });
}

describe('batched versioned updates', () => {
  test('when one update is made alone, then it goes out as a plain PUT', async () => {
    const ehr = fakeEhr();
    const [only] = seed(ehr, 1);
    const saved = await createUpdateBatcher(ehr).update(message('m0', '1'), only?.meta?.versionId);
    expect(saved.meta?.versionId).toBe('2');
    expect(ehr.puts).toBe(1);
    expect(ehr.batches).toEqual([]);
  });

  test('when many updates are made at once, then they share batches and each caller gets its own answer', async () => {
    const ehr = fakeEhr();
    const messages = seed(ehr, 40);
    const batcher = createUpdateBatcher(ehr, { maxInFlight: 2 });
    // Every third one carries a stale If-Match: it alone must fail with 412.
    const results = await Promise.allSettled(
      messages.map((m, i) => batcher.update({ ...m, status: 'completed' }, i % 3 === 0 ? '0' : '1')),
    );
    results.forEach((result, i) => {
      if (i % 3 === 0) {
        expect(result.status).toBe('rejected');
        expect(isVersionConflict((result as PromiseRejectedResult).reason)).toBe(true);
      } else {
        expect(result.status === 'fulfilled' && result.value.meta?.versionId).toBe('2');
      }
    });
    expect(ehr.puts + ehr.batches.reduce((a, b) => a + b, 0)).toBe(40);
    expect(ehr.batches.length).toBeGreaterThan(0);
    expect(ehr.puts + ehr.batches.length).toBeLessThan(10);
  });

  test.each([
    ['does not offer batch', { offersBatch: false }],
    ['refuses the Bundle', { refusesBatch: true }],
  ])('when the EHR %s, then every update still goes out as its own PUT', async (_what, options) => {
    const ehr = fakeEhr(options);
    const messages = seed(ehr, 10);
    const batcher = createUpdateBatcher(ehr, { maxInFlight: 1 });
    const saved = await Promise.all(messages.map((m) => batcher.update({ ...m, status: 'completed' }, '1')));
    expect(saved.map((s) => s.meta?.versionId)).toEqual(Array.from({ length: 10 }, () => '2'));
    expect(ehr.puts).toBe(10);
    expect(ehr.batches).toEqual([]);
  });
});
