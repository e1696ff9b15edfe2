import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseSandboxConfig } from './config';

describe('sandbox configuration', () => {
  test('when nothing is set, then it listens on loopback port 3001 and points at the app on 3000', () => {
    const config = parseSandboxConfig({});
    expect(config).toEqual({
      host: '127.0.0.1',
      port: 3001,
      publicUrl: 'http://127.0.0.1:3001',
      dataDir: path.resolve('.data/sandbox'),
      appUrl: 'http://127.0.0.1:3000',
    });
  });

  test('when the host is not loopback, then start-up stops and names the variable and the way out', () => {
    expect(() => parseSandboxConfig({ SANDBOX_HOST: '0.0.0.0' })).toThrow(/SANDBOX_HOST: .*SANDBOX_ALLOW_REMOTE=true/);
    expect(parseSandboxConfig({ SANDBOX_HOST: '0.0.0.0', SANDBOX_ALLOW_REMOTE: 'true' }).host).toBe('0.0.0.0');
  });

  test.each([
    [{ SANDBOX_PORT: 'abc' }, /SANDBOX_PORT/],
    [{ SANDBOX_PORT: '70000' }, /SANDBOX_PORT/],
    [{ APP_URL: 'not a url' }, /APP_URL: must be an absolute URL/],
    [{ SANDBOX_PUBLIC_URL: '127.0.0.1:3001' }, /SANDBOX_PUBLIC_URL/],
  ])('when %j, then the error names the variable', (env, message) => {
    expect(() => parseSandboxConfig(env)).toThrow(message);
  });

  test('a trailing slash on a URL is dropped so paths join cleanly', () => {
    expect(parseSandboxConfig({ APP_URL: 'http://localhost:3000/' }).appUrl).toBe('http://localhost:3000');
  });
});
