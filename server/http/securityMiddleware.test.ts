import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, describe, expect, test } from 'vitest';
import { securityMiddleware, type SecurityConfig } from './securityMiddleware';

const servers: Server[] = [];

async function headersFor(config: SecurityConfig): Promise<Headers> {
  const app = express();
  app.use(securityMiddleware(config, { distDir: '/nonexistent' }));
  app.get('/launch/', (_req, res) => {
    res.send('<!doctype html>');
  });
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/launch/`);
  return response.headers;
}

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

describe('securityMiddleware', () => {
  test('when the public URL is https and no EHR may frame the app, then HSTS is on and framing is denied twice', async () => {
    const headers = await headersFor({
      publicBaseUrl: 'https://charttext.example.org',
      ehrOrigins: [],
      fhirOrigins: ['https://fhir.example.org'],
    });
    expect(headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    expect(headers.get('x-frame-options')).toBe('DENY');
  });

  test('when EHR origins are configured, then frame-ancestors names them and X-Frame-Options stays out of the way', async () => {
    const headers = await headersFor({
      publicBaseUrl: 'https://charttext.example.org',
      ehrOrigins: ['https://ehr.example.org'],
      fhirOrigins: ['https://fhir.example.org'],
    });
    expect(headers.get('content-security-policy')).toContain('frame-ancestors https://ehr.example.org;');
    expect(headers.get('x-frame-options')).toBeNull();
  });

  test('when the public URL is plain http on loopback (the sandbox), then no HSTS is sent', async () => {
    const headers = await headersFor({
      publicBaseUrl: 'http://127.0.0.1:3000',
      ehrOrigins: ['http://127.0.0.1:3001'],
      fhirOrigins: ['http://127.0.0.1:3001'],
    });
    expect(headers.get('strict-transport-security')).toBeNull();
    expect(headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
  });
});
