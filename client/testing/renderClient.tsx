/**
 * Component-test harness: a real FhirSession (the fhirclient wrapper, built from a stored state, no OAuth round
 * trip) against the msw fake EHR and relay, a fresh QueryClient with retries off, and the layout jsdom lacks.
 */
import { render, type RenderResult } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { buildScope } from '../../launch/scopes';
import { FakeEhr, FHIR_BASE, fhirHandlers } from '../../test/msw/fhirServer';
import { FakeRelay, relayHandlers } from '../../test/msw/relay';
import { App } from '../app/App';
import { sessionFromState, type FhirSession } from '../fhir/smartClient';

/** An unsigned id_token carrying `fhirUser` (fhirclient decodes it without verifying; the EHR issued it). */
export function idToken(fhirUser: string): string {
  const part = (value: object): string =>
    btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'user', fhirUser: `${FHIR_BASE}/${fhirUser}` })}.sig`;
}

export interface SessionOptions {
  patientId?: string | null;
  scope?: string;
  needPatientBanner?: boolean;
  smartStyleUrl?: string;
  fhirUser?: string;
  refreshToken?: string;
}

/** A session as `ready()` would return it for a clinician's EHR launch. */
export function testSession(options: SessionOptions = {}): FhirSession {
  const patientId = options.patientId === undefined ? 'p0001' : options.patientId;
  return sessionFromState({
    serverUrl: FHIR_BASE,
    ...(options.refreshToken
      ? { tokenUri: `${FHIR_BASE.replace(/\/fhir$/, '')}/auth/token`, clientId: 'charttext' }
      : {}),
    tokenResponse: {
      access_token: 'access-token-1',
      token_type: 'Bearer',
      scope: options.scope ?? buildScope('chart', 'v2', true),
      ...(patientId ? { patient: patientId } : {}),
      need_patient_banner: options.needPatientBanner ?? false,
      ...(options.smartStyleUrl ? { smart_style_url: options.smartStyleUrl } : {}),
      id_token: idToken(options.fhirUser ?? 'Practitioner/dr-lee'),
      ...(options.refreshToken ? { refresh_token: options.refreshToken } : {}),
    },
  });
}

/** Renders the whole app for a session, with retries off. */
export function renderApp(session: FhirSession = testSession()): RenderResult {
  return render(<App session={session} retry={false} />);
}

/**
 * Gives elements a size (jsdom has no layout), so the virtualizer renders a window of rows: the thread's scroll
 * box is 600 px high, each row 60 px.
 */
export function stubLayout(): void {
  const height = function (this: HTMLElement): number {
    if (this.classList.contains('thread')) return 600;
    if (this.classList.contains('row')) return 60;
    return 0;
  };
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: height });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: height });
  Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 800 });
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement): number {
      if (!this.classList.contains('thread')) return 0;
      const list = this.querySelector<HTMLElement>('.thread__list');
      return Math.max(600, Number.parseFloat(list?.style.height ?? '0'));
    },
  });
  const tops = new WeakMap<Element, number>();
  Object.defineProperty(HTMLElement.prototype, 'scrollTop', {
    configurable: true,
    get(this: HTMLElement): number {
      return tops.get(this) ?? 0;
    },
    set(this: HTMLElement, value: number) {
      const top = Math.max(0, Math.min(value, this.scrollHeight - this.clientHeight));
      if (top === (tops.get(this) ?? 0)) return;
      tops.set(this, top);
      // A browser fires the scroll event later (with the next frame), never inside the caller's render or effect.
      setTimeout(() => this.dispatchEvent(new Event('scroll')), 0);
    },
  });
  HTMLElement.prototype.scrollTo = function (this: HTMLElement, options?: ScrollToOptions | number, y?: number): void {
    this.scrollTop = typeof options === 'object' ? (options.top ?? this.scrollTop) : (y ?? 0);
  };
  if (!('createObjectURL' in URL))
    Object.assign(URL, { createObjectURL: () => 'blob:stub', revokeObjectURL: () => undefined });
}

/** Starts msw with the fake EHR and relay for a test file; each test gets a fresh EHR and relay. */
export function startFakeServers(): {
  ehr: () => FakeEhr;
  relay: () => FakeRelay;
  server: ReturnType<typeof setupServer>;
} {
  const server = setupServer();
  let ehr = new FakeEhr();
  let relay = new FakeRelay();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    ehr = new FakeEhr();
    relay = new FakeRelay();
    server.resetHandlers(...fhirHandlers(ehr), ...relayHandlers(relay));
    stubLayout();
  });
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return { ehr: () => ehr, relay: () => relay, server };
}
