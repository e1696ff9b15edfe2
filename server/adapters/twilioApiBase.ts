/**
 * Sends the twilio SDK's requests to another API origin when `TWILIO_API_BASE_URL` is configured (the sandbox phone
 * simulator), by giving the SDK its own RequestClient with the URL rewritten. Without that setting the relay passes
 * no httpClient and the SDK talks to api.twilio.com unchanged. Only api.twilio.com URLs are rewritten; any other
 * Twilio host is refused, so a sandbox run can never reach the real Twilio.
 */
import http from 'node:http';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type TwilioResponse from 'twilio/lib/http/response';

/** The origin the SDK builds its URLs on. */
export const TWILIO_API_ORIGIN = 'https://api.twilio.com';

const TWILIO_API = /^https:\/\/api\.twilio\.com(?::443)?(?=\/|$)/;

/** `uri` moved from api.twilio.com to `apiBaseUrl`; throws for any other Twilio host. */
export function rewriteTwilioUri(uri: string, apiBaseUrl: string): string {
  if (TWILIO_API.test(uri)) return uri.replace(TWILIO_API, apiBaseUrl.replace(/\/+$/, ''));
  if (uri.startsWith(apiBaseUrl)) return uri;
  throw new Error(`TWILIO_API_BASE_URL is set; refusing to send a request to ${new URL(uri).host}`);
}

/** A RequestClient for the twilio SDK whose requests go to `apiBaseUrl`, with keep-alive on plain http too. */
export function createRewritingRequestClient(apiBaseUrl: string, timeoutMs = 15_000): RequestClient {
  class RewritingRequestClient extends twilio.RequestClient {
    constructor() {
      super({ keepAlive: true, maxSockets: 64, timeout: timeoutMs });
      this.axios.defaults.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    }

    override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioResponse<TData>> {
      return super.request<TData>({ ...opts, uri: rewriteTwilioUri(opts.uri, apiBaseUrl) });
    }
  }
  return new RewritingRequestClient();
}
