/**
 * Twilio's two webhooks: `POST /twilio/status` (status callbacks) and `POST /twilio/inbound` (incoming SMS/MMS).
 * Each verifies the signature, parses the form, hands one call to the intake and answers Twilio straight away:
 * 204 for a status, TwiML for an inbound message (empty, or the keyword reply when the relay answers keywords).
 * https://www.twilio.com/docs/messaging/guides/webhook-request
 */
import { badRequest, forbidden, OperationOutcomeError } from '@medplum/core';
import express, { type Router } from 'express';
import type { CountryCode } from 'libphonenumber-js';
import twilio from 'twilio';
import type { WebhookIntake } from '../relay/acceptWebhook';
import { keywordOf, keywordReply, type Keyword } from '../relay/detectKeyword';
import { isTwilioStatus } from '../relay/mapTwilioStatus';
import { toE164 } from '../relay/normalisePhone';
import { parseInboundWebhook } from '../relay/parseInbound';
import { readTwilioForm } from './readTwilioForm';
import { verifyTwilioSignature } from './verifyTwilioSignature';
import type { WebhookFailureLimit } from './webhookFailureLimit';

export interface TwilioWebhookOptions {
  intake: WebhookIntake;
  accountSid: string;
  authToken: string;
  publicBaseUrl: string;
  keywordReplies: 'relay' | 'twilio';
  practice: { name: string; helpPhone?: string };
  /** Default country for a number Twilio sent without one. */
  region: CountryCode;
  /** The limit on requests that fail the signature check (signed ones are never limited). */
  failures?: WebhookFailureLimit;
}

const COMMUNICATION_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const SEND_ATTEMPT = /^[1-9][0-9]{0,5}$/;

const field = (body: unknown, name: string): string | undefined => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

const refuse = (diagnostics: string): OperationOutcomeError =>
  new OperationOutcomeError({ ...forbidden, issue: [{ severity: 'error', code: 'forbidden', diagnostics }] });

/** The webhook routes. */
export function twilioWebhooks(options: TwilioWebhookOptions): Router {
  const router = express.Router();
  // Twilio posts small forms; ten media URLs and their types stay well under these limits.
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
  // The inbound route reads the same form with the same limits, faster (docs/decisions/096).
  const inboundForm = readTwilioForm({ limitBytes: 64 * 1024, parameterLimit: 200 });
  const signed = (routePath: string): express.RequestHandler =>
    verifyTwilioSignature({
      authToken: options.authToken,
      publicBaseUrl: options.publicBaseUrl,
      routePath,
      ...(options.failures ? { failures: options.failures } : {}),
    });

  router.post('/twilio/status', form, signed('/twilio/status'), async (req, res, next) => {
    try {
      if (field(req.body, 'AccountSid') !== options.accountSid)
        throw refuse('The callback is for another Twilio account.');
      const sid = field(req.body, 'MessageSid') ?? field(req.body, 'SmsSid');
      const status = field(req.body, 'MessageStatus') ?? field(req.body, 'SmsStatus');
      if (!sid || !/^(SM|MM)[0-9a-f]{32}$/.test(sid))
        throw new OperationOutcomeError(badRequest('MessageSid is missing or malformed'));
      if (!status || !isTwilioStatus(status))
        throw new OperationOutcomeError(badRequest('MessageStatus is missing or unknown'));
      const errorCode = Number.parseInt(field(req.body, 'ErrorCode') ?? '', 10);
      const errorMessage = field(req.body, 'ErrorMessage');
      const communicationId =
        typeof req.query.c === 'string' && COMMUNICATION_ID.test(req.query.c) ? req.query.c : undefined;
      const attempt =
        typeof req.query.a === 'string' && SEND_ATTEMPT.test(req.query.a) ? Number(req.query.a) : undefined;
      await options.intake.status({
        sid,
        status,
        ...(Number.isInteger(errorCode) && errorCode > 0 ? { errorCode } : {}),
        ...(errorMessage ? { errorMessage } : {}),
        ...(communicationId ? { communicationId } : {}),
        ...(attempt === undefined ? {} : { attempt }),
      });
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  // The TwiML answer depends only on the keyword: each is built once (the SDK's XML builder takes ~0.1 ms a time).
  const answers = new Map<Keyword | undefined, string>();
  const inboundAnswer = (keyword: Keyword | undefined): string => {
    let xml = answers.get(keyword);
    if (xml === undefined) {
      const twiml = new twilio.twiml.MessagingResponse();
      if (keyword && options.keywordReplies === 'relay') twiml.message(keywordReply(keyword, options.practice));
      xml = twiml.toString();
      answers.set(keyword, xml);
    }
    return xml;
  };

  router.post('/twilio/inbound', inboundForm, signed('/twilio/inbound'), async (req, res, next) => {
    try {
      const parsed = parseInboundWebhook((req.body ?? {}) as Record<string, unknown>);
      if (!parsed.ok) throw new OperationOutcomeError(badRequest(parsed.error));
      if (parsed.sms.accountSid !== options.accountSid) throw refuse('The message is for another Twilio account.');
      // The EHR records both numbers in E.164 (fhir-profiles: FromNumber, ToNumber); a sender that is no phone number
      // (short code, alphanumeric) cannot be filed, so Twilio hears so instead of a 200 for a text that is dropped.
      const from = toE164(parsed.sms.from, options.region);
      const to = toE164(parsed.sms.to, options.region);
      if (!from || !to) {
        throw new OperationOutcomeError(
          badRequest('From and To must be phone numbers (E.164, e.g. +12015550123); ChartText files texts from phones'),
        );
      }
      await options.intake.inbound({ ...parsed.sms, from, to });
      // Written straight out: no ETag or freshness check for an answer only Twilio reads.
      res
        .status(200)
        .set('Content-Type', 'text/xml; charset=utf-8')
        .end(inboundAnswer(keywordOf(parsed.sms.body, parsed.sms.optOutType)));
    } catch (err) {
      next(err);
    }
  });

  return router;
}
