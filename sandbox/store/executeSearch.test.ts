import type { Communication, Resource, Task } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { SearchEngine } from './executeSearch';
import { indexResource } from './matchSearch';
import { parseSearchQuery, type SearchQuery } from './parseSearchQuery';
import { TypeTable } from './typeTable';

/** An engine over in-memory type tables, kept current on each write the way SandboxRepository does. */
function engineWith(resources: Resource[]): SearchEngine {
  const tables = new Map<string, TypeTable>();
  const engine = new SearchEngine((type) => tables.get(type));
  for (const resource of resources) {
    let table = tables.get(resource.resourceType);
    if (!table) {
      table = new TypeTable(resource.resourceType, (changed, previous, next) =>
        engine.applyChange(changed, previous, next),
      );
      tables.set(resource.resourceType, table);
    }
    table.setCurrent(resource.id ?? '', indexResource(resource));
  }
  return engine;
}

const at = (minute: number): string => new Date(Date.UTC(2026, 10, 1) + minute * 60_000).toISOString();

function waitingTask(i: number): Task {
  return {
    resourceType: 'Task',
    id: `task-${i}`,
    meta: { lastUpdated: at(i) },
    status: 'requested',
    intent: 'order',
    focus: { reference: `Communication/thread-${i}` },
  };
}

function message(thread: number, i: number): Communication {
  return {
    resourceType: 'Communication',
    id: `m-${thread}-${i}`,
    meta: { lastUpdated: at(thread * 10 + i) },
    status: 'completed',
    partOf: [{ reference: `Communication/thread-${thread}` }],
    sent: at(thread * 10 + i),
  };
}

const query = (type: string, search: string): SearchQuery =>
  parseSearchQuery(type, Object.fromEntries(new URLSearchParams(search)));

describe('SearchEngine cache', () => {
  const THREADS = 2_000;
  const resources = [
    ...Array.from({ length: THREADS }, (_, i) => waitingTask(i)),
    ...Array.from({ length: 100 }, (_, t) => [message(t, 0), message(t, 1), message(t, 2)]).flat(),
  ];

  test('when 100 threads have their latest messages read after the open Tasks, then the sorted Tasks stay cached', () => {
    const engine = engineWith(resources);
    const open = query('Task', 'status=requested&_sort=-_lastUpdated&_count=25');
    expect(engine.run(open).total).toBe(THREADS);
    for (let t = 0; t < 100; t++) {
      const latest = engine.run(query('Communication', `part-of=Communication/thread-${t}&_sort=-sent&_count=10`));
      expect(latest.matches.map((m) => m.resource.id)).toEqual([`m-${t}-2`, `m-${t}-1`, `m-${t}-0`]);
    }
    expect(engine.isCached(open)).toBe(true);
  });

  test('when a search checks a handful of candidates, then it is answered without taking a cache place', () => {
    const engine = engineWith(resources);
    const latest = query('Communication', 'part-of=Communication/thread-7&_sort=-sent');
    expect(engine.run(latest).total).toBe(3);
    expect(engine.isCached(latest)).toBe(false);
    expect(engine.run(latest).total).toBe(3);
  });
});
