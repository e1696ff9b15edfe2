/**
 * Sandbox configuration: read once from the environment, validated, with loopback defaults.
 * The sandbox is a development stand-in for an EHR and for Twilio; it refuses to listen beyond loopback unless
 * SANDBOX_ALLOW_REMOTE=true says so explicitly.
 */
import path from 'node:path';
import { z } from 'zod';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const url = (what: string): z.ZodType<string> =>
  z
    .string()
    .url({ message: `must be an absolute URL (${what})` })
    .transform((value) => value.replace(/\/+$/, ''));

const port = z.coerce.number().int().min(0).max(65535);

const schema = z
  .object({
    SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
    SANDBOX_PORT: port.default(3001),
    SANDBOX_PUBLIC_URL: url('the sandbox origin as a browser reaches it, e.g. http://127.0.0.1:3001').optional(),
    SANDBOX_DATA_DIR: z.string().min(1).default('.data/sandbox'),
    SANDBOX_ALLOW_REMOTE: z.enum(['true', 'false']).default('false'),
    APP_URL: url('the ChartText origin, e.g. http://127.0.0.1:3000').default('http://127.0.0.1:3000'),
  })
  .superRefine((env, ctx) => {
    if (!LOOPBACK_HOSTS.has(env.SANDBOX_HOST) && env.SANDBOX_ALLOW_REMOTE !== 'true') {
      ctx.addIssue({
        code: 'custom',
        path: ['SANDBOX_HOST'],
        message: `is ${env.SANDBOX_HOST}, not a loopback address; the sandbox holds synthetic PHI-shaped data and has no real security, so set SANDBOX_ALLOW_REMOTE=true to bind elsewhere on purpose`,
      });
    }
  });

export interface SandboxConfig {
  host: string;
  port: number;
  /** Origin a browser uses to reach the sandbox; derived from host and port when not set. */
  publicUrl: string;
  dataDir: string;
  /** ChartText's origin: its launch page, redirect URI and relay live there. */
  appUrl: string;
}

/** Parses the sandbox's environment variables, throwing one error that names every bad variable. */
export function parseSandboxConfig(env: Record<string, string | undefined>): SandboxConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Sandbox configuration is invalid:\n${lines.join('\n')}`);
  }
  const value = result.data;
  const hostForUrl = value.SANDBOX_HOST.includes(':') ? `[${value.SANDBOX_HOST}]` : value.SANDBOX_HOST;
  return {
    host: value.SANDBOX_HOST,
    port: value.SANDBOX_PORT,
    publicUrl: value.SANDBOX_PUBLIC_URL ?? `http://${hostForUrl}:${value.SANDBOX_PORT}`,
    dataDir: path.resolve(value.SANDBOX_DATA_DIR),
    appUrl: value.APP_URL,
  };
}
