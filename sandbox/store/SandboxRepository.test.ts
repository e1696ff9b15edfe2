import { OperationOutcomeError, parseSearchRequest } from '@medplum/core';
import type { Communication, Patient } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { parseSearchQuery } from './parseSearchQuery';
import { SandboxRepository } from './SandboxRepository';

const patient = (id: string, extra: Partial<Patient> = {}): Patient => ({ resourceType: 'Patient', id, ...extra });

const message = (i: number, header: string, extra: Partial<Communication> = {}): Communication => ({
  resourceType: 'Communication',
  status: 'completed',
  partOf: [{ reference: `Communication/${header}` }],
  subject: { reference: 'Patient/p1' },
  sent: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  ...extra,
});

async function statusOfError(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return err instanceof OperationOutcomeError ? err.outcome.id : String(err);
  }
}

describe('SandboxRepository writes', () => {
  test('when a resource is created and updated, then versions count up and lastUpdated strictly increases', async () => {
    const repo = new SandboxRepository();
    const created = await repo.createResource(patient('ignored', { gender: 'female' }));
    expect(created.id).not.toBe('ignored');
    expect(created.meta?.versionId).toBe('1');
    const updated = await repo.updateResource({ ...created, gender: 'male' });
    expect(updated.meta?.versionId).toBe('2');
    expect(Date.parse(updated.meta?.lastUpdated ?? '')).toBeGreaterThan(Date.parse(created.meta?.lastUpdated ?? ''));
  });

  test('when 200 writes race, then every lastUpdated is distinct and in commit order', async () => {
    const repo = new SandboxRepository();
    const results = await Promise.all(Array.from({ length: 200 }, () => repo.createResource(patient('x'))));
    const times = results.map((r) => Date.parse(r.meta?.lastUpdated ?? ''));
    expect(new Set(times).size).toBe(200);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  test('when If-Match names an old version, then the update fails with precondition-failed and changes nothing', async () => {
    const repo = new SandboxRepository();
    const created = await repo.createResource(patient('x'));
    await repo.updateResource({ ...created, gender: 'male' }, { ifMatch: '1' });
    expect(await statusOfError(repo.updateResource({ ...created, gender: 'other' }, { ifMatch: '1' }))).toBe(
      'precondition-failed',
    );
    expect((await repo.readResource<Patient>('Patient', created.id)).gender).toBe('male');
  });

  test('when a transaction throws, then none of its writes remain (read, search, history)', async () => {
    const repo = new SandboxRepository();
    const kept = await repo.createResource(patient('x', { gender: 'female' }));
    await expect(
      repo.withTransaction(async () => {
        await repo.createResource(patient('a', { gender: 'male' }), { assignedId: true });
        await repo.updateResource({ ...kept, gender: 'other' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await statusOfError(repo.readResource('Patient', 'a'))).toBe('not-found');
    expect((await repo.readResource<Patient>('Patient', kept.id)).gender).toBe('female');
    expect((await repo.readHistory('Patient', kept.id)).entry).toHaveLength(1);
    expect((await repo.search(parseSearchRequest('Patient?gender=male'))).total).toBe(0);
    expect((await repo.search(parseSearchRequest('Patient?gender=female'))).total).toBe(1);
  });

  test('when two conditional creates race on one identifier, then exactly one resource exists', async () => {
    const repo = new SandboxRepository();
    const make = (): ReturnType<typeof repo.conditionalCreate> =>
      repo.conditionalCreate(
        message(0, 'h', { identifier: [{ system: 'urn:test', value: 'SM1' }] }),
        parseSearchRequest('Communication?identifier=urn:test|SM1'),
      );
    const [a, b] = await Promise.all([make(), make()]);
    expect(a.resource.id).toBe(b.resource.id);
    expect((await repo.search(parseSearchRequest('Communication?identifier=SM1'))).total).toBe(1);
  });

  test('when history is read twice, then it is newest first both times', async () => {
    const repo = new SandboxRepository();
    const created = await repo.createResource(patient('x'));
    await repo.updateResource(created);
    const versions = async (): Promise<string[]> =>
      ((await repo.readHistory('Patient', created.id)).entry ?? []).map((e) => e.resource?.meta?.versionId ?? '');
    expect(await versions()).toEqual(['2', '1']);
    expect(await versions()).toEqual(['2', '1']);
  });

  test('when a resource is deleted, then reads answer gone and a re-create continues the version numbers', async () => {
    const repo = new SandboxRepository();
    const created = await repo.createResource(patient('x'));
    await repo.deleteResource('Patient', created.id);
    expect(await statusOfError(repo.readResource('Patient', created.id))).toBe('gone');
    const again = await repo.updateResource(patient(created.id));
    expect(again.meta?.versionId).toBe('3');
  });
});

describe('SandboxRepository search', () => {
  async function threadRepo(): Promise<SandboxRepository> {
    const repo = new SandboxRepository();
    await repo.withTransaction(async () => {
      for (let i = 0; i < 30; i++) await repo.createResource(message(i, i % 3 === 0 ? 'other' : 'h'));
    });
    return repo;
  }

  test('when a thread is paged by -sent, then pages are disjoint, ordered and the total is the thread size', async () => {
    const repo = await threadRepo();
    const page = (offset: number) =>
      repo.searchQuery(
        parseSearchQuery('Communication', {
          'part-of': 'Communication/h',
          _sort: '-sent',
          _count: '7',
          _offset: `${offset}`,
        }),
      );
    const seen: string[] = [];
    for (let offset = 0; offset < 20; offset += 7) {
      const result = await page(offset);
      expect(result.total).toBe(20);
      seen.push(...result.matches.map((m) => (m as Communication).sent ?? ''));
    }
    expect(seen).toHaveLength(20);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  test('when polling with _lastUpdated=gt, then only later writes come back', async () => {
    const repo = await threadRepo();
    const last = (await repo.search(parseSearchRequest('Communication?_sort=-_lastUpdated&_count=1'))).entry?.[0];
    const mark = last?.resource?.meta?.lastUpdated ?? '';
    expect((await repo.searchQuery(parseSearchQuery('Communication', { _lastUpdated: `gt${mark}` }))).total).toBe(0);
    const fresh = await repo.createResource(message(99, 'h'));
    const after = await repo.searchQuery(parseSearchQuery('Communication', { _lastUpdated: `gt${mark}` }));
    expect(after.matches.map((m) => m.id)).toEqual([fresh.id]);
  });

  test.each([
    ['name=garcia', 1],
    ['name:exact=García', 1],
    ['name:exact=garcia', 0],
    ['name:contains=rci', 1],
    ['phone=(201) 555-0123', 1],
    ['phone=+12015550123', 0],
    ['birthdate=1968', 1],
    ['birthdate=ge1969-01-01', 1],
    ['birthdate=lt1968-04-12', 0],
    ['gender:not=female', 1],
    ['telecom:missing=true', 1],
    ['identifier=urn:mrn|A1', 1],
    ['identifier=|A1', 0],
    ['identifier=urn:mrn|', 2],
    ['_id=p1,p2', 2],
  ])('when Patients are searched with %s, then %i match', async (query, expected) => {
    const repo = new SandboxRepository();
    await repo.updateResource(
      patient('p1', {
        name: [{ family: 'García', given: ['María'] }],
        gender: 'female',
        birthDate: '1968-04-12',
        telecom: [{ system: 'phone', value: '(201) 555-0123', use: 'mobile' }],
        identifier: [{ system: 'urn:mrn', value: 'A1' }],
      }),
    );
    await repo.updateResource(
      patient('p2', { gender: 'male', birthDate: '1990-06-05', identifier: [{ system: 'urn:mrn', value: 'B2' }] }),
    );
    const raw = Object.fromEntries(new URLSearchParams(query));
    expect((await repo.searchQuery(parseSearchQuery('Patient', raw))).total).toBe(expected);
  });

  test('when searching with _include=Communication:sender, then the senders come along once', async () => {
    const repo = new SandboxRepository();
    await repo.updateResource({ resourceType: 'Practitioner', id: 'dr' });
    for (let i = 0; i < 3; i++)
      await repo.createResource(message(i, 'h', { sender: { reference: 'Practitioner/dr' } }));
    const result = await repo.searchQuery(
      parseSearchQuery('Communication', { 'part-of': 'Communication/h', _include: 'Communication:sender' }),
    );
    expect(result.matches).toHaveLength(3);
    expect(result.included.map((r) => `${r.resourceType}/${r.id}`)).toEqual(['Practitioner/dr']);
  });

  test('when resources change after a search was cached, then cached pages equal a fresh search', async () => {
    const repo = new SandboxRepository();
    await repo.withTransaction(async () => {
      for (let i = 0; i < 120; i++) await repo.createResource(message(i, i % 2 ? 'h' : 'other'));
    });
    const queries = [
      { 'part-of': 'Communication/h', _sort: '-sent', _count: '1000' },
      { status: 'completed', _sort: 'sent,-_lastUpdated', _count: '1000' },
      { _lastUpdated: 'gt2000-01-01', _count: '1000' },
    ].map((raw) => parseSearchQuery('Communication', raw));
    const idsOf = async (r: SandboxRepository) =>
      Promise.all(queries.map(async (q) => (await r.searchQuery(q)).matches.map((m) => m.id)));
    await idsOf(repo);
    let seed = 7;
    const next = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let step = 0; step < 60; step++) {
      const all = (await repo.searchQuery(parseSearchQuery('Communication', { _count: '1000' }))).matches;
      const target = all[next(all.length)] as Communication;
      if (step % 10 === 9) await repo.deleteResource('Communication', target.id ?? '');
      else if (step % 7 === 3) {
        await repo
          .withTransaction(async () => {
            await repo.updateResource({ ...target, status: 'stopped' });
            throw new Error('rolled back');
          })
          .catch(() => undefined);
      } else {
        await repo.updateResource({
          ...target,
          status: next(2) ? 'completed' : 'in-progress',
          sent: message(next(500), 'h').sent,
          partOf: [{ reference: `Communication/${next(2) ? 'h' : 'other'}` }],
        });
      }
      const fresh = new SandboxRepository();
      fresh.load(repo.versions());
      expect(await idsOf(repo)).toEqual(await idsOf(fresh));
    }
  });

  test('when restricted to a patient compartment, then other patients’ messages are invisible', async () => {
    const repo = new SandboxRepository();
    await repo.createResource(message(1, 'h'));
    await repo.createResource(message(2, 'h', { subject: { reference: 'Patient/p2' } }));
    const query = parseSearchQuery('Communication', {});
    expect((await repo.searchQuery(query, { compartmentPatient: 'p2' })).total).toBe(1);
    expect((await repo.searchQuery(query)).total).toBe(2);
  });
});
