import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { FileStore } from './fileStore';
import { LaunchStore } from './launchContext';

// A SMART `launch` value is a one-time, short-lived handle (https://hl7.org/fhir/smart-app-launch/app-launch.html#launch-app-ehr-launch):
// it must not outlive the app start it was made for. The EHR's open chart lasts longer and mints a new one each time.
const dataDir = mkdtempSync(join(tmpdir(), 'charttext-launch-'));
const launches = new LaunchStore(new FileStore(join(dataDir, 'store.json')));

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('LaunchStore', () => {
  test('when a launch is taken, then it is gone: a second app start with it finds nothing', () => {
    const launch = launches.createLaunch({ user: 'dr-lee', patient: 'p0001' });
    expect(launches.readLaunch(launch)).toEqual({ user: 'dr-lee', patient: 'p0001' });
    expect(launches.takeLaunch(launch)).toEqual({ user: 'dr-lee', patient: 'p0001' });
    expect(launches.takeLaunch(launch)).toBeUndefined();
    expect(launches.readLaunch(launch)).toBeUndefined();
  });

  test('when a launch is not used within five minutes, then it has expired', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const launch = launches.createLaunch({ user: 'dr-lee', patient: 'p0001' });
    vi.setSystemTime(Date.now() + 4 * 60_000);
    expect(launches.readLaunch(launch)).toBeDefined();
    vi.setSystemTime(Date.now() + 2 * 60_000);
    expect(launches.takeLaunch(launch)).toBeUndefined();
  });

  test('when the EHR opens a chart, then it lasts the clinic day and is no launch value itself', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const chart = launches.openChart({ user: 'dr-lee', patient: 'p0001' });
    expect(launches.readLaunch(chart)).toBeUndefined();
    vi.setSystemTime(Date.now() + 8 * 3_600_000);
    expect(launches.readChart(chart)).toEqual({ user: 'dr-lee', patient: 'p0001' });
  });
});
