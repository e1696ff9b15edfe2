import type { Bundle, Communication, Resource, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXTERNAL_SYSTEMS, IDENTIFIER_SYSTEMS, TOKENS } from '../../fhir-profiles/vocabulary';
import { buildSeed, SEED_EPOCH, SPECIAL_PATIENTS } from '../seed';
import type { FhirTestServer } from './startFhirTestServer';
import { startFhirTestServer } from './startFhirTestServer';

let server: FhirTestServer;
const seed = buildSeed(new Date(SEED_EPOCH));
const seeded = <T extends Resource>(predicate: (r: Resource) => boolean): T[] => seed.filter(predicate) as T[];
const q = encodeURIComponent;

beforeAll(async () => {
  server = await startFhirTestServer({ seed: () => seed });
});

afterAll(async () => {
  await server.dispose();
});

const ids = (bundle: Bundle): string[] =>
  (bundle.entry ?? [])
    .filter((e) => e.search?.mode === 'match')
    .map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);

describe('paging', () => {
  test('when the long thread is paged by -sent, then next links lead to the last page with the same total', async () => {
    const header = `Communication/thread-${SPECIAL_PATIENTS.longThread}`;
    const expected = seeded<Communication>(
      (r) => r.resourceType === 'Communication' && r.partOf?.[0]?.reference === header,
    ).length;
    let url: string | undefined = `Communication?part-of=${header}&_sort=-sent&_count=200`;
    const seen: string[] = [];
    const sentTimes: string[] = [];
    let pages = 0;
    let lastPage: Bundle | undefined;
    while (url && pages < 50) {
      const page: Bundle = (await server.request<Bundle>(url)).body;
      expect(page.total).toBe(expected);
      seen.push(...ids(page));
      sentTimes.push(
        ...(page.entry ?? []).map(
          (e) => (e.resource as Communication).sent ?? (e.resource as Communication).received ?? '',
        ),
      );
      lastPage = page;
      url = page.link?.find((l) => l.relation === 'next')?.url;
      pages++;
    }
    expect(seen).toHaveLength(expected);
    expect(new Set(seen).size).toBe(expected);
    expect(pages).toBe(Math.ceil(expected / 200));
    expect(lastPage?.link?.find((l) => l.relation === 'previous')).toBeDefined();
    const self = lastPage?.link?.find((l) => l.relation === 'self')?.url ?? '';
    expect(self.startsWith(server.baseUrl)).toBe(true);
    expect(ids((await server.request<Bundle>(self)).body)).toEqual(
      ids(lastPage ?? { resourceType: 'Bundle', type: 'searchset' }),
    );
  });

  test('when _count is over the cap, then the page holds the cap and the self link says so', async () => {
    const res = await server.request<Bundle>('Communication?_count=5000');
    expect(res.body.entry).toHaveLength(1000);
    expect(res.body.link?.find((l) => l.relation === 'self')?.url).toContain('_count=1000');
  });

  test('when _summary=count, then only the total comes back', async () => {
    const res = await server.request<Bundle>(`Patient?_summary=count`);
    expect(res.body.total).toBe(26);
    expect(res.body.entry).toBeUndefined();
  });
});

describe('incremental poll', () => {
  test('when polling with _lastUpdated=gt the newest seen, then only later writes come back, once', async () => {
    const thread = `Communication/thread-${SPECIAL_PATIENTS.longThread}`;
    const newest = await server.request<Bundle>(`Communication?part-of=${thread}&_sort=-_lastUpdated&_count=1`);
    const mark = newest.body.entry?.[0]?.resource?.meta?.lastUpdated ?? '';
    const poll = (since: string) =>
      server.request<Bundle>(`Communication?part-of=${thread}&_lastUpdated=gt${q(since)}`);
    expect((await poll(mark)).body.total).toBe(0);

    const created = await server.request<Communication>('Communication', {
      method: 'POST',
      json: {
        resourceType: 'Communication',
        status: 'preparation',
        partOf: [{ reference: thread }],
        subject: { reference: `Patient/${SPECIAL_PATIENTS.longThread}` },
        payload: [{ contentString: 'Hola María, ¿cómo se siente hoy?' }],
      },
    });
    const afterWrite = await poll(mark);
    expect(ids(afterWrite.body)).toEqual([`Communication/${created.body.id}`]);
    expect((await poll(created.body.meta?.lastUpdated ?? '')).body.total).toBe(0);
  });
});

describe('searches the app and relay make', () => {
  const patientId = SPECIAL_PATIENTS.longThread;
  const openTasks = seeded<Task>((r) => r.resourceType === 'Task' && r.status === 'requested');
  const robertsStop = seeded<Communication>(
    (r) => r.resourceType === 'Communication' && r.payload?.[0]?.contentString === 'STOP',
  ).find((c) => c.sender?.reference === 'Patient/p0002');
  test.each([
    [`Patient?phone=${q('(201) 555-0123')}`, [`Patient/${patientId}`]],
    [`Patient?phone=${q('+12015550123')}`, []],
    [`Patient?telecom=${q('201-555-0142')}`, ['Patient/p0006']],
    [`Patient?phone=${q('(201) 555-0142')},${q('201-555-0142')}`, ['Patient/p0005', 'Patient/p0006']],
    [`Patient?name=garcia`, [`Patient/${patientId}`]],
    [`Patient?family=torres&given=lu`, ['Patient/p0006']],
    [`Patient?birthdate=1968-04-12`, [`Patient/${patientId}`]],
    [`Patient?identifier=${q(`${EXTERNAL_SYSTEMS.sandboxMrn}|RF100002`)}`, ['Patient/p0002']],
    [`Patient?_id=p0002,p0003&_sort=-_id`, ['Patient/p0003', 'Patient/p0002']],
    [`RelatedPerson?patient=Patient/p0006`, ['RelatedPerson/rp0001']],
    [`RelatedPerson?phone=${q('201-555-0142')}`, ['RelatedPerson/rp0001']],
    [`Practitioner?_id=dr-lee`, ['Practitioner/dr-lee']],
    [`Practitioner?identifier=${q(`${IDENTIFIER_SYSTEMS.sandboxUser}|jbrooks`)}`, ['Practitioner/fd-brooks']],
    [`Organization?identifier:missing=true&_id=practice`, ['Organization/practice']],
    [`Consent?patient=p0002&status=active&category=${q(TOKENS.smsConsent)}`, ['Consent/sms-consent-p0002']],
    [
      `Task?patient=${patientId}&code=${q(TOKENS.needsResponse)}&status=requested`,
      [`Task/needs-response-${patientId}`],
    ],
    [`Task?focus=Communication/thread-${patientId}`, [`Task/needs-response-${patientId}`]],
    [`Task?code=${q(TOKENS.triageUnmatched)}&business-status=waiting`, ['Task/triage-unmatched-0001']],
    [
      `Task?owner=Practitioner/fd-brooks&status=requested&_sort=_id`,
      openTasks
        .filter((t) => t.owner?.reference === 'Practitioner/fd-brooks')
        .map((t) => `Task/${t.id}`)
        .sort(),
    ],
    [`Communication?category=${q(TOKENS.unmatched)}`, ['Communication/unmatched-0001']],
    [
      `Communication?identifier=${q(TOKENS.thread(`Patient/${patientId}|+12015550100`))}`,
      [`Communication/thread-${patientId}`],
    ],
    [`Communication?subject=Patient/p0003&status=stopped`, ['Communication/p0003-m0001']],
    [
      `Communication?patient=p0004&medium=${q(TOKENS.smsMedium)}&category=${q(TOKENS.outbound)}`,
      ['Communication/p0004-m0001'],
    ],
    [`Communication?recipient=RelatedPerson/rp0001&category=${q(TOKENS.threadHeader)}`, ['Communication/thread-p0006']],
    [`Communication?sender=Patient/p0002&_sort=-received&_count=1`, [`Communication/${robertsStop?.id}`]],
  ])('when searching %s, then the matches are %j', async (path, expected) => {
    const res = await server.request<Bundle>(path);
    expect(res.status).toBe(200);
    const found = ids(res.body);
    expect(path.includes('_sort') ? found : [...found].sort()).toEqual(expected);
  });

  test('when searching messages sent in a date range, then only those come back', async () => {
    const from = '2026-10-20T00:00:00Z';
    const to = '2026-10-21T00:00:00Z';
    const res = await server.request<Bundle>(`Communication?sent=ge${q(from)}&sent=lt${q(to)}&_count=1000`);
    const expected = seeded<Communication>((r) => {
      const sent = (r as Communication).sent;
      return !!sent && sent >= from.replace('Z', '.000Z') && sent < to.replace('Z', '.000Z');
    }).length;
    expect(expected).toBeGreaterThan(0);
    expect(res.body.total).toBe(expected);
  });

  test('when _include=Communication:sender and :recipient, then each person comes once as include', async () => {
    const res = await server.request<Bundle>(
      `Communication?part-of=Communication/thread-p0006&_include=Communication:sender&_include=Communication:recipient`,
    );
    const included = (res.body.entry ?? [])
      .filter((e) => e.search?.mode === 'include')
      .map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
    expect(included).toContain('RelatedPerson/rp0001');
    expect(included).toContain('Organization/practice');
    expect(new Set(included).size).toBe(included.length);
    expect(res.body.entry?.every((e) => e.fullUrl?.startsWith(`${server.baseUrl}/`))).toBe(true);
  });

  test('when open Tasks are searched with _include=Task:focus, then their thread headers come along', async () => {
    const res = await server.request<Bundle>(
      `Task?code=${q(TOKENS.needsResponse)}&status=requested&owner=Practitioner/dr-lee&_include=Task:focus`,
    );
    const included = (res.body.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => e.resource?.id);
    expect(ids(res.body)).toEqual(['Task/needs-response-p0008']);
    expect(included).toEqual(['thread-p0008']);
  });

  test('when thread headers are searched with _revinclude=Task:focus, then their Tasks come along', async () => {
    const res = await server.request<Bundle>(
      `Communication?category=${q(TOKENS.threadHeader)}&subject=Patient/p0008&_revinclude=Task:focus&_include=Communication:subject`,
    );
    const included = (res.body.entry ?? [])
      .filter((e) => e.search?.mode === 'include')
      .map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
    expect(included.sort()).toEqual(['Patient/p0008', 'Task/needs-response-p0008']);
  });
});
