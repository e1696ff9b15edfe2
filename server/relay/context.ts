/**
 * What every step of the relay is handed: the two outside interfaces (EHR, Twilio), its settings, a clock, a log
 * without PHI, and the fault points tests use to stop the pipeline at a chosen step.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { FhirStore } from './fhirStore';
import type { SmsGateway } from './smsGateway';

export interface RelaySettings {
  /** The practice's SMS number (E.164): the thread key, the reconciliation filter, the sender of record. */
  practiceNumber: string;
  /** `Organization/<id>`: the recipient of inbound messages. */
  practiceOrganization: string;
  /** Origin (and optional path) Twilio reaches the relay at, without a trailing slash. */
  publicBaseUrl: string;
  /** Default country for numbers written without one. */
  region: CountryCode;
  /** Who answers STOP/START/HELP: the relay (TwiML reply) or Twilio's own opt-out management. */
  keywordReplies: 'relay' | 'twilio';
  /** A claim with no SID older than this is resolved by reconciliation. */
  claimTimeoutMs: number;
  /** An outbound message with a SID and no final status for this long has its status fetched from Twilio. */
  stuckAfterMs: number;
  /** How far back reconciliation looks in Twilio's log on its first run after start. */
  reconcileLookbackMs: number;
  /**
   * Hard deadline of one send, from its claim: no Twilio request starts after it (config keeps it at most half of
   * `claimTimeoutMs`, so reconciliation never takes over a claim whose sender may still send).
   */
  sendDeadlineMs: number;
  /** Retries for Twilio 429/5xx/network errors on send: attempts in all, and the backoff bounds. */
  sendRetry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /** Parallel sends within one drain. */
  sendConcurrency: number;
  /** Page size when looking for pending outbound messages. */
  pageSize: number;
}

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** A structured log; fields must never carry names, phone numbers or message bodies. */
export interface RelayLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Named steps of the send pipeline where a test run may stop the relay (never used in production). */
export type FaultPoint = 'after-claim' | 'before-twilio' | 'after-twilio-accept' | 'after-record';

/** Called at each fault point; a test implementation may never resolve (the process "died") or throw. */
export type FaultPoints = (point: FaultPoint, communicationId: string) => Promise<void> | void;

export interface RelayContext {
  fhir: FhirStore;
  sms: SmsGateway;
  settings: RelaySettings;
  clock: Clock;
  log: RelayLog;
  faults: FaultPoints;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, ms);
    }),
};

/** No fault injection. */
export const noFaults: FaultPoints = () => undefined;

/** A log that drops everything. */
export const silentLog: RelayLog = { debug() {}, info() {}, warn() {}, error() {} };
