import express from 'express';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { STARTER_TEMPLATES_FILE, TemplateSource } from '../templates/templateFile';
import { templateRoutes } from './templateRoutes';

const dir = mkdtempSync(path.join(tmpdir(), 'charttext-template-route-'));
const broken = path.join(dir, 'broken.json');
let server: Server;
let base: string;

beforeAll(async () => {
  writeFileSync(broken, '{ "templates": [] }');
  const app = express();
  app.use('/starter', templateRoutes(new TemplateSource(STARTER_TEMPLATES_FILE)));
  app.use('/broken', templateRoutes(new TemplateSource(broken)));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/templates', () => {
  test('the composer gets the templates, not cached by the browser', async () => {
    const response = await fetch(`${base}/starter/api/templates`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const body = (await response.json()) as { templates: { id: string; text: Record<string, string> }[] };
    expect(body.templates.find((t) => t.id === 'please-call')?.text.es).toContain(
      'Por favor llámenos al {practicePhone}',
    );
  });

  test('when the file was never valid, then 503 with an OperationOutcome that says what to fix', async () => {
    const response = await fetch(`${base}/broken/api/templates`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { resourceType: string; issue: { diagnostics: string }[] };
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue[0]?.diagnostics).toMatch(/templates: add at least one template/);
  });
});
