/**
 * A picture or file the patient texted (MMS media stored as a Binary), fetched with the user's token and shown
 * through an object URL that is revoked when the message leaves the screen. MMS media is untrusted: a blob: URL is a
 * document of the app's origin when opened, so an SVG or HTML file would run script beside the SMART token. Only
 * raster images (the declared type, enforced on the blob whatever the server sent) show inline or open in a tab;
 * anything else is a download of an `application/octet-stream` blob. Links elsewhere must be https.
 */
import type { Attachment } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, type ReactNode } from 'react';
import { useSession } from '../app/sessionContext';

export const binaryKeys = {
  all: ['Binary'] as const,
  detail: (url: string) => [...binaryKeys.all, url] as const,
};

/** Picture types a browser renders without running anything (no SVG: it is a document that may hold script). */
const SAFE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const DOWNLOAD_TYPE = 'application/octet-stream';

/** The declared media type, lower case without parameters. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function inlineBlob(attachment: Attachment): Blob | undefined {
  if (!attachment.data) return undefined;
  const bytes = Uint8Array.from(atob(attachment.data), (c) => c.charCodeAt(0));
  return new Blob([bytes]);
}

/** True when the URL is on the FHIR server (relative, or under its base): only then does it get the token. */
function onFhirServer(url: string, base: string): boolean {
  return !/^[a-z]+:/i.test(url) || url.startsWith(`${base}/`);
}

/** Shows one attachment: an image inline, anything else as a download link. */
export function AttachmentView({ attachment }: { attachment: Attachment }): ReactNode {
  const session = useSession();
  const url = attachment.url;
  const fetchable = url !== undefined && !attachment.data && onFhirServer(url, session.grant.serverUrl);
  const binary = useQuery({
    queryKey: binaryKeys.detail(url ?? ''),
    queryFn: ({ signal }) => session.binary(url as string, signal),
    enabled: fetchable,
    staleTime: Infinity,
    gcTime: 60_000,
  });
  const blob = useMemo(() => inlineBlob(attachment) ?? binary.data, [attachment, binary.data]);
  const type = mediaType(attachment.contentType ?? blob?.type);
  const picture = SAFE_IMAGE_TYPES.has(type);
  const objectUrl = useMemo(
    () => (blob ? URL.createObjectURL(new Blob([blob], { type: picture ? type : DOWNLOAD_TYPE })) : undefined),
    [blob, picture, type],
  );
  useEffect(() => () => (objectUrl ? URL.revokeObjectURL(objectUrl) : undefined), [objectUrl]);

  const title = attachment.title ?? (picture ? 'Picture' : 'Attachment');
  if (url && !attachment.data && !fetchable) {
    if (!/^https:\/\//i.test(url))
      return <span className="attachment">{title} (an address ChartText does not open)</span>;
    return (
      <a className="attachment" href={url} target="_blank" rel="noopener noreferrer">
        {title} (opens outside the EHR)
      </a>
    );
  }
  if (binary.isError) return <span className="attachment attachment--error">{title} could not be loaded.</span>;
  if (!objectUrl) return <span className="attachment attachment--loading">Loading {title.toLowerCase()}…</span>;
  if (picture) {
    return (
      <a className="attachment" href={objectUrl} target="_blank" rel="noopener noreferrer">
        <img src={objectUrl} alt={attachment.title ?? 'Picture sent by text'} loading="lazy" />
      </a>
    );
  }
  return (
    <a className="attachment" href={objectUrl} download={attachment.title ?? 'attachment'}>
      Download {title}
    </a>
  );
}
