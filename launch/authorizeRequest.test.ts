import { describe, expect, test } from 'vitest';
import type { AppConfig } from '../client/config';
import { decideAuthorize, issuerAllowed } from './authorizeRequest';

const config: AppConfig = {
  clientId: 'charttext',
  scopeForm: 'v2',
  redirectPath: '/client/',
  allowedIssuers: [],
  practiceOrganizationId: 'practice',
  pageSize: 50,
  pollIntervalMs: 1500,
  pollOverlapMs: 10_000,
  relayPickupWarningMs: 30_000,
  nudgePath: '/api/outbox/nudge',
  templatesPath: '/api/templates',
};

const at = (query: string): URL => new URL(`http://127.0.0.1:3000/launch/${query}`);

describe('decideAuthorize', () => {
  test('when the EHR launches with iss and launch, then the chart is authorized with launch and the redirect URI', () => {
    const decision = decideAuthorize(at('?iss=http://127.0.0.1:3001/fhir&launch=abc'), config);
    expect(decision).toMatchObject({
      ok: true,
      request: {
        iss: 'http://127.0.0.1:3001/fhir',
        launch: 'abc',
        clientId: 'charttext',
        redirectUri: 'http://127.0.0.1:3000/client/',
        context: 'chart',
      },
    });
    expect(decision.ok && decision.request.scope.split(' ')).toContain('launch');
  });

  test('when launched with iss only, then the inbox is authorized without launch scopes', () => {
    const decision = decideAuthorize(at('?iss=http://127.0.0.1:3001/fhir'), config);
    expect(decision).toMatchObject({ ok: true, request: { context: 'inbox' } });
    expect(decision.ok && decision.request.launch).toBeUndefined();
    expect(decision.ok && decision.request.scope).not.toMatch(/launch/);
  });

  test('when the registered launch URL says context=inbox, then an EHR launch asks for user-level scopes', () => {
    const decision = decideAuthorize(at('?context=inbox&iss=http://127.0.0.1:3001/fhir&launch=abc'), config);
    expect(decision).toMatchObject({ ok: true, request: { context: 'inbox', launch: 'abc' } });
    expect(decision.ok && decision.request.scope).toMatch(/user\/Communication\.crus/);
  });

  test('when the page is opened without iss, then it explains how to open ChartText', () => {
    const decision = decideAuthorize(at(''), config);
    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.message).toMatch(/Open ChartText from your EHR/);
  });

  test('when iss is not an allowed FHIR base, then it refuses and names the setting', () => {
    const decision = decideAuthorize(at('?iss=http://evil.example/fhir&launch=x'), config);
    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.message).toMatch(/VITE_ALLOWED_ISS/);
  });

  test('when v1 scopes are configured, then the request uses v1 spellings', () => {
    const decision = decideAuthorize(at('?iss=http://127.0.0.1:3001/fhir&launch=a'), { ...config, scopeForm: 'v1' });
    expect(decision.ok && decision.request.scope).toMatch(/patient\/Communication\.read patient\/Communication\.write/);
  });
});

describe('issuerAllowed', () => {
  test.each([
    ['https://ehr.example.org/fhir', [], true],
    ['http://127.0.0.1:3001/fhir', [], true],
    ['http://localhost:8080/fhir', [], true],
    ['http://ehr.example.org/fhir', [], false],
    ['not a url', [], false],
    ['https://ehr.example.org/fhir/', ['https://ehr.example.org/fhir'], true],
    ['https://other.example.org/fhir', ['https://ehr.example.org/fhir'], false],
  ])('issuerAllowed(%s, %j) is %s', (iss, allowed, expected) => {
    expect(issuerAllowed(iss, allowed)).toBe(expected);
  });
});
