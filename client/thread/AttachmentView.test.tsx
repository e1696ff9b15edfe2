import type { Attachment } from '@medplum/fhirtypes';
import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createQueryClient } from '../app/queryClient';
import { SessionProvider } from '../app/sessionContext';
import { startFakeServers, testSession } from '../testing/renderClient';
import { AttachmentView } from './AttachmentView';

// Review finding: a patient's MMS is untrusted content. An SVG or HTML file opened from a blob: URL runs as a
// document of the app's origin (where the SMART token lives), so only raster images show inline or open in a tab;
// everything else is a download, and the object URL carries the type ChartText chose, not the one the server sent.

const servers = startFakeServers();

/** Object URLs created, with the Blob behind each (jsdom has no real ones). */
function trackObjectUrls(): Blob[] {
  const blobs: Blob[] = [];
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    blobs.push(blob as Blob);
    return `blob:test-${blobs.length}`;
  });
  return blobs;
}

afterEach(() => {
  vi.restoreAllMocks();
});

function show(attachment: Attachment): void {
  const client = createQueryClient(() => undefined, { retry: false });
  render(
    <QueryClientProvider client={client}>
      <SessionProvider session={testSession()}>
        <AttachmentView attachment={attachment} />
      </SessionProvider>
    </QueryClientProvider>,
  );
}

const inline = (contentType: string, title?: string): Attachment => ({
  contentType,
  data: btoa(contentType.includes('svg') ? '<svg onload="alert(1)"/>' : 'bytes'),
  ...(title ? { title } : {}),
});

describe('AttachmentView', () => {
  test.each(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])(
    'when the picture is %s, then it shows inline',
    async (type) => {
      const blobs = trackObjectUrls();
      show(inline(type));
      expect(await screen.findByRole('img', { name: 'Picture sent by text' })).toBeInTheDocument();
      expect(blobs.map((b) => b.type)).toEqual([type]);
    },
  );

  test.each([
    ['image/svg+xml', 'drawing.svg'],
    ['text/html', 'page.html'],
    ['application/xhtml+xml', 'page.xhtml'],
    ['application/pdf', 'letter.pdf'],
    ['IMAGE/SVG+XML; charset=utf-8', 'loud.svg'],
  ])('when the file is %s, then it is a download link, never inline or in a tab', async (type, title) => {
    const blobs = trackObjectUrls();
    show(inline(type, title));
    const link = await screen.findByRole('link', { name: `Download ${title}` });
    expect(link).toHaveAttribute('download', title);
    expect(link).not.toHaveAttribute('target');
    expect(screen.queryByRole('img')).not.toBeInTheDocument();
    expect(blobs.map((b) => b.type)).toEqual(['application/octet-stream']);
  });

  test('when the EHR serves an SVG for an attachment declared as PNG, then the object URL is typed PNG', async () => {
    servers
      .ehr()
      .add({ resourceType: 'Binary', id: 'pic-svg', contentType: 'image/svg+xml', data: btoa('<svg onload="x"/>') });
    const blobs = trackObjectUrls();
    show({ contentType: 'image/png', url: 'Binary/pic-svg' });
    expect(await screen.findByRole('img', { name: 'Picture sent by text' })).toBeInTheDocument();
    expect(blobs.map((b) => b.type)).toEqual(['image/png']);
  });

  test.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'ftp://example.org/x.png'])(
    'when the attachment points at %s, then no link is made',
    async (url) => {
      show({ contentType: 'image/png', url, title: 'Odd picture' });
      expect(await screen.findByText(/Odd picture/)).toBeInTheDocument();
      expect(screen.queryByRole('link')).not.toBeInTheDocument();
    },
  );

  test('when the attachment is on another https site, then it opens there in a new tab', async () => {
    show({ contentType: 'image/png', url: 'https://media.example.org/p.png', title: 'Picture' });
    const link = await screen.findByRole('link', { name: /opens outside the EHR/ });
    expect(link).toHaveAttribute('href', 'https://media.example.org/p.png');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  });
});
