/**
 * A page of the thread as the screen shows it: Communications turned into messages, with sender names resolved
 * from the page's `_include=Communication:sender` entries (one lookup per page, not per message).
 */
import type {
  Attachment,
  Bundle,
  Communication,
  HumanName,
  Organization,
  Patient,
  Practitioner,
  RelatedPerson,
  Resource,
} from '@medplum/fhirtypes';
import {
  CODE_SYSTEMS,
  CODES,
  codeFrom,
  EXTENSIONS,
  IDENTIFIER_SYSTEMS,
  type Direction,
} from '../../fhir-profiles/vocabulary';
import { deliveryOf, type Delivery } from './deliveryState';

export interface ThreadMessage {
  /** Communication id, or `local:<clientMessageId>` before the EHR has confirmed it. */
  id: string;
  clientMessageId?: string;
  direction: Direction;
  text: string;
  attachments: Attachment[];
  /** When it was sent (or received, or last written): orders the thread and is shown. */
  at: string;
  senderReference?: string;
  senderName?: string;
  /** Outbound only. */
  delivery?: Delivery;
  /** meta.lastUpdated: the live poll's cursor and the "not picked up yet" clock. */
  updatedAt?: string;
  /** The saved resource (absent while saving). */
  resource?: Communication;
}

export interface ThreadPage {
  /** As returned: newest first. */
  messages: ThreadMessage[];
  /** The server's `next` link (older messages). */
  next?: string;
}

type Person = Patient | Practitioner | RelatedPerson | Organization;

/** "Dr. Dana Lee": prefix, given and family of the first usable name. */
export function formatName(names: HumanName[] | undefined): string | undefined {
  const name = names?.find((n) => n.use === 'usual') ?? names?.find((n) => n.use === 'official') ?? names?.[0];
  if (!name) return undefined;
  if (name.text) return name.text;
  const parts = [...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function isPerson(resource: Resource): resource is Person {
  return (
    resource.resourceType === 'Patient' ||
    resource.resourceType === 'Practitioner' ||
    resource.resourceType === 'RelatedPerson' ||
    resource.resourceType === 'Organization'
  );
}

function directionOf(resource: Communication): Direction {
  const coded = codeFrom(resource.category, CODE_SYSTEMS.direction);
  if (coded === CODES.direction.inbound || coded === CODES.direction.outbound) return coded;
  const sender = resource.sender?.reference ?? '';
  return sender.startsWith('Patient/') || sender.startsWith('RelatedPerson/')
    ? CODES.direction.inbound
    : CODES.direction.outbound;
}

/** Turns one Communication into a thread message; `names` maps sender references to display names. */
export function toThreadMessage(resource: Communication, names: ReadonlyMap<string, string>): ThreadMessage {
  const direction = directionOf(resource);
  const senderReference = resource.sender?.reference;
  const senderName = senderReference ? names.get(senderReference) : undefined;
  const clientMessageId = resource.identifier?.find((i) => i.system === IDENTIFIER_SYSTEMS.clientMessageId)?.value;
  const text = (resource.payload ?? [])
    .map((p) => p.contentString)
    .filter((s): s is string => typeof s === 'string')
    .join('\n');
  const attachments = (resource.payload ?? [])
    .map((p) => p.contentAttachment)
    .filter((a): a is Attachment => a !== undefined);
  return {
    id: resource.id ?? `local:${clientMessageId ?? ''}`,
    ...(clientMessageId ? { clientMessageId } : {}),
    direction,
    text,
    attachments,
    at: resource.sent ?? resource.received ?? resource.meta?.lastUpdated ?? new Date(0).toISOString(),
    ...(senderReference ? { senderReference } : {}),
    ...(senderName ? { senderName } : {}),
    ...(direction === CODES.direction.outbound ? { delivery: deliveryOf(resource) } : {}),
    ...(resource.meta?.lastUpdated ? { updatedAt: resource.meta.lastUpdated } : {}),
    resource,
  };
}

/** Reads a search Bundle: matched Communications (in server order) and the names of included senders. */
export function readThreadPage(bundle: Bundle): ThreadPage {
  const names = new Map<string, string>();
  const communications: Communication[] = [];
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource;
    if (!resource) continue;
    if (resource.resourceType === 'Communication' && entry.search?.mode !== 'include') {
      communications.push(resource);
    } else if (isPerson(resource) && resource.id) {
      const name = resource.resourceType === 'Organization' ? resource.name : formatName(resource.name);
      if (name) names.set(`${resource.resourceType}/${resource.id}`, name);
    }
  }
  const next = bundle.link?.find((l) => l.relation === 'next')?.url;
  return {
    messages: communications.filter((c) => c.status !== 'entered-in-error').map((c) => toThreadMessage(c, names)),
    ...(next ? { next } : {}),
  };
}

/** A message's attempt number (the send-attempt extension; 1 when absent). */
export function sendAttempt(resource: Communication): number {
  const value = resource.extension?.find((e) => e.url === EXTENSIONS.sendAttempt)?.valuePositiveInt;
  return typeof value === 'number' && value > 0 ? value : 1;
}
