/**
 * Starts the sandbox FHIR server alone on 127.0.0.1 (port 0) over a temporary or given data folder, for
 * integration tests and benchmarks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import express from 'express';
import type { FhirRouterOptions } from './createFhirRouter';
import { createFhirRouter } from './createFhirRouter';
import type { SandboxStore } from '../store/openStore';
import { openStore } from '../store/openStore';

/** A response as a test reads it: status, headers and the parsed JSON body (undefined when empty). */
export interface FhirTestResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Plain fetch against `baseUrl`: `path` is relative (`Patient/1`) or absolute (a link); `json` is sent as FHIR JSON. */
export async function fhirFetch<T = Resource>(
  baseUrl: string,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<FhirTestResponse<T>> {
  const { json, headers, ...rest } = init;
  const url = /^https?:/.test(path) ? path : `${baseUrl}/${path}`;
  const response = await fetch(url, {
    ...rest,
    headers: { ...(json === undefined ? {} : { 'Content-Type': 'application/fhir+json' }), ...headers },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface FhirTestServer {
  /** The FHIR base, e.g. http://127.0.0.1:54321/fhir. */
  baseUrl: string;
  /** fhirFetch against this server. */
  request<T = Resource>(path: string, init?: RequestInit & { json?: unknown }): Promise<FhirTestResponse<T>>;
  store: SandboxStore;
  dataDir: string;
  /** Stops listening and closes the store (the data folder stays until `dispose`). */
  close(): Promise<void>;
  /** close() and delete a temporary data folder. */
  dispose(): Promise<void>;
}

export interface FhirTestServerOptions extends Partial<Omit<FhirRouterOptions, 'baseUrl' | 'store'>> {
  seed?: () => Resource[];
  /** Reuse a data folder (e.g. to test a restart); a temporary one is made otherwise. */
  dataDir?: string;
}

/** Starts the server; call dispose() (or close()) in afterAll. */
export async function startFhirTestServer(options: FhirTestServerOptions = {}): Promise<FhirTestServer> {
  const temporary = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'charttext-fhir-')));
  const store = await openStore({ dataDir, seed: options.seed ?? (() => []) });
  const app = express();
  let baseUrl = '';
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  app.use('/fhir', createFhirRouter({ ...options, baseUrl, store }));
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    await store.close();
  };
  return {
    baseUrl,
    request: (path, init) => fhirFetch(baseUrl, path, init),
    store,
    dataDir,
    close,
    dispose: async () => {
      await close();
      if (temporary) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
