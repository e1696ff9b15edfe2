import type { Resource, Task } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { validateChartTextResource } from '../fhir-profiles/validate';
import { waitingInbox } from './waitingInbox';

const NOW = Date.parse('2026-11-30T09:00:00.000Z');

function tasks(resources: Resource[]): Task[] {
  return resources.filter((r): r is Task => r.resourceType === 'Task');
}

describe('waitingInbox', () => {
  test('when 12 threads are built, then each has a patient, a header and one open Task waiting since its last question', () => {
    const resources = waitingInbox(12, NOW);
    const open = tasks(resources);
    expect(open).toHaveLength(12);
    expect(resources.filter((r) => r.resourceType === 'Patient')).toHaveLength(12);
    for (const task of open) {
      expect(task.status).toBe('requested');
      expect(resources).toContainEqual(expect.objectContaining({ id: task.focus?.reference?.split('/')[1] }));
    }
  });

  test('when written in order, then the newest question comes last and has waited a few minutes', () => {
    const starts = tasks(waitingInbox(50, NOW)).map((t) => Date.parse(t.executionPeriod?.start ?? ''));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(NOW - (starts.at(-1) ?? 0)).toBe(4 * 60_000);
  });

  test('when validated against the ChartText profiles, then every resource passes', () => {
    const problems = waitingInbox(6, NOW).flatMap((resource) => {
      const outcome = validateChartTextResource(resource);
      return outcome ? [`${resource.resourceType}/${resource.id}: ${JSON.stringify(outcome.issue)}`] : [];
    });
    expect(problems).toEqual([]);
  });
});
