/**
 * Points the real twilio SDK at the phone simulator: an `httpClient` (the SDK's own RequestClient) that rewrites
 * `https://api.twilio.com/…` to `<apiBaseUrl>/…` and refuses every other Twilio host, so a sandbox run can never
 * reach the real Twilio. The SDK's `edge`/`region` options only change the host within twilio.com, so they cannot
 * do this. Production passes no httpClient and the SDK is unchanged. See docs/decisions/061.
 *
 *   const client = twilio(accountSid, authToken, { httpClient: createRewritingHttpClient('http://127.0.0.1:3001/twilio') });
 */
import http from 'node:http';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type TwilioResponse from 'twilio/lib/http/response';

const TWILIO_API = /^https:\/\/api\.twilio\.com(?::443)?(?=\/|$)/;

/** The URL the SDK meant, moved under `apiBaseUrl`; throws for any Twilio host but api.twilio.com. */
export function rewriteTwilioUrl(uri: string, apiBaseUrl: string): string {
  if (TWILIO_API.test(uri)) return uri.replace(TWILIO_API, apiBaseUrl.replace(/\/+$/, ''));
  throw new Error(`The phone simulator serves only api.twilio.com; refusing to send a request to ${new URL(uri).host}`);
}

/** A twilio SDK http client that sends API requests to `apiBaseUrl` (e.g. `http://127.0.0.1:3001/twilio`). */
export function createRewritingHttpClient(
  apiBaseUrl: string,
  options: RequestClient.RequestClientOptions = {},
): RequestClient {
  const base = new URL(apiBaseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('apiBaseUrl must be an http(s) URL');

  class RewritingRequestClient extends twilio.RequestClient {
    constructor() {
      super(options);
      // The SDK configures keep-alive for https only; the sandbox is plain http on loopback.
      this.axios.defaults.httpAgent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 20 });
    }

    override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioResponse<TData>> {
      return super.request<TData>({ ...opts, uri: rewriteTwilioUrl(opts.uri, apiBaseUrl) });
    }
  }
  return new RewritingRequestClient();
}
