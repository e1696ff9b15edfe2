/**
 * Marks a recipient's ContactPoint as unable to take SMS (EXTENSIONS.numberFlag) after Twilio said so, so the next
 * send picks another number or stops with "no SMS number" instead of failing again at Twilio.
 */
import type { ContactPoint, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { CODE_SYSTEMS, EXTENSIONS } from '../../fhir-profiles/vocabulary';
import type { NumberFlagCode } from './classifyTwilioError';
import type { RelayContext } from './context';
import { describeError } from './describeError';
import { toE164 } from './normalisePhone';
import { updateVersioned } from './updateVersioned';

type Recipient = Patient | RelatedPerson;

/** The telecom with every ContactPoint holding `e164` flagged, or undefined when nothing changes (pure). */
export function flaggedTelecom(
  telecom: readonly ContactPoint[] | undefined,
  e164: string,
  flag: NumberFlagCode,
  region: RelayContext['settings']['region'],
): ContactPoint[] | undefined {
  let changed = false;
  const next = (telecom ?? []).map((point) => {
    if (toE164(point.value, region) !== e164) return point;
    if (point.extension?.some((extension) => extension.url === EXTENSIONS.numberFlag)) return point;
    changed = true;
    return {
      ...point,
      extension: [
        ...(point.extension ?? []),
        { url: EXTENSIONS.numberFlag, valueCoding: { system: CODE_SYSTEMS.numberFlag, code: flag } },
      ],
    };
  });
  return changed ? next : undefined;
}

/**
 * Flags `e164` on the recipient (`Patient/…` or `RelatedPerson/…`) with a versioned update. Best effort: an EHR that
 * refuses the update (no write scope on RelatedPerson, say) costs a log line, never the message's own record.
 */
export async function flagNumber(
  ctx: RelayContext,
  recipient: string,
  e164: string,
  flag: NumberFlagCode,
): Promise<void> {
  const [type, id] = recipient.split('/');
  if (!id || (type !== 'Patient' && type !== 'RelatedPerson')) return;
  try {
    const current = (await ctx.fhir.read(type, id)) as Recipient;
    await updateVersioned<Recipient>(ctx.fhir, current, (resource) => {
      const telecom = flaggedTelecom(resource.telecom, e164, flag, ctx.settings.region);
      return telecom ? { ...resource, telecom } : undefined;
    });
    ctx.log.info({ flag, type }, 'number flagged as unable to take SMS');
  } catch (err) {
    ctx.log.warn({ flag, type, err: describeError(err) }, 'could not flag the number on the recipient');
  }
}
