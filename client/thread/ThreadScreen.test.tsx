import { screen, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { conversation, inboundMessage, outboundMessage, threadHeader } from '../../test/fixtures/messages';
import { patient, practice, practitioner } from '../../test/fixtures/people';
import { renderApp, startFakeServers } from '../testing/renderClient';

const servers = startFakeServers();

describe('thread', () => {
  test('when the chart opens, then the latest messages show with sender names and day separators', async () => {
    servers
      .ehr()
      .add(
        patient(),
        practice(),
        practitioner(),
        threadHeader('maria-garcia'),
        inboundMessage({ id: 'a', body: 'My knee still hurts', sent: '2026-10-30T14:00:00.000Z' }),
        outboundMessage({ id: 'b', body: 'Can you come in Thursday?', sent: '2026-10-31T15:00:00.000Z' }),
      );
    renderApp();
    await screen.findByRole('heading', { level: 1, name: 'Text messages with María García' });
    const log = screen.getByRole('region', { name: 'Messages' });
    expect(within(log).getByText('My knee still hurts')).toBeInTheDocument();
    expect(within(log).getByText('Can you come in Thursday?')).toBeInTheDocument();
    expect(within(log).getByText('You')).toBeInTheDocument();
    expect(within(log).getAllByRole('heading', { level: 2 })).toHaveLength(2);
  });

  test('a long thread renders only a window of rows', async () => {
    servers.ehr().add(patient(), practice(), practitioner(), threadHeader('maria-garcia'), ...conversation(120));
    renderApp();
    await screen.findByRole('region', { name: 'Messages' });
    screen.debug(undefined, 3000);
    await screen.findByText('Clinic reply 120');
    expect(screen.getAllByRole('listitem').length).toBeLessThan(40);
  });
});
