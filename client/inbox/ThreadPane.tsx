/**
 * A thread opened from the inbox, beside the list: the patient banner, the work item (who owns it, how long it has
 * waited, "no reply needed", close or reopen the thread), and the same thread view and composer as the chart.
 */
import type { Communication } from '@medplum/fhirtypes';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useId, type ReactNode } from 'react';
import { PatientBanner } from '../app/PatientBanner';
import { useSession } from '../app/sessionContext';
import { ThreadScreen } from '../thread/ThreadScreen';
import { needsResponseTaskQuery } from '../thread/threadQueries';
import { waitLabel, type ThreadRow } from './inboxModel';
import { ownerReference, staffQuery } from './staffDirectory';
import { headerKey, useAssign, useNoReplyNeeded, useThreadStatus } from './useWorkItemActions';
import { isOpenTask } from './workItems';

function useHeader(reference: string | undefined): UseQueryResult<Communication> {
  const session = useSession();
  return useQuery({
    queryKey: headerKey(reference ?? ''),
    queryFn: ({ signal }) =>
      session.read<Communication>('Communication', (reference ?? '').split('/')[1] ?? '', signal),
    enabled: reference !== undefined,
    staleTime: 30_000,
  });
}

export interface ThreadPaneProps {
  row: ThreadRow;
  now: Date;
  onBack: () => void;
}

/** The opened thread with its work-item controls. */
export function ThreadPane({ row, now, onBack }: ThreadPaneProps): ReactNode {
  const session = useSession();
  const ids = useId();
  const task = useQuery({
    ...needsResponseTaskQuery(session, row.patientId),
    ...(row.task ? { initialData: row.task, initialDataUpdatedAt: 0 } : {}),
  });
  const header = useHeader(row.headerReference);
  const staff = useQuery(staffQuery(session));
  const assign = useAssign(row.patientId);
  const noReply = useNoReplyNeeded(row.patientId);
  const threadStatus = useThreadStatus(row.patientId);

  const open = task.data?.id && isOpenTask(task.data) ? { ...task.data, id: task.data.id } : undefined;
  const closed = header.data?.status === 'completed';
  const since = open?.executionPeriod?.start ?? open?.authoredOn;
  const ownerRef = open?.owner?.reference ?? '';
  const busy = assign.isPending || noReply.isPending || threadStatus.isPending;
  const problem = assign.error ?? noReply.error ?? threadStatus.error;
  const knownOwner = staff.data?.some((m) => m.reference === ownerRef);

  return (
    <section className="inbox-detail" aria-labelledby={`${ids}-title`}>
      <h2 className="visually-hidden" id={`${ids}-title`}>
        Conversation with {row.patientName ?? 'the patient'}
      </h2>
      <div className="inbox-detail__bar">
        <button type="button" className="link-button inbox-detail__back" onClick={onBack}>
          ← Back to the list
        </button>
      </div>
      <PatientBanner patientId={row.patientId} />
      <div className="work-item" role="group" aria-label="Work item">
        <p className="work-item__state" role="status">
          {closed
            ? 'Thread closed.'
            : open
              ? `Needs a reply${since ? ` · ${waitLabel(since, now) === 'just now' ? 'just arrived' : `waiting ${waitLabel(since, now)}`}` : ''}.`
              : task.isPending
                ? 'Checking whether a reply is needed…'
                : 'No reply waiting.'}
        </p>
        {open && (
          <label className="work-item__assign">
            Assigned to{' '}
            <select
              value={ownerRef}
              disabled={busy || !staff.data}
              onChange={(event) => {
                const member = staff.data?.find((m) => m.reference === event.target.value);
                assign.mutate({ task: open, owner: member ? ownerReference(member) : undefined });
              }}
            >
              <option value="">Unassigned</option>
              {ownerRef && !knownOwner && <option value={ownerRef}>{open.owner?.display ?? ownerRef}</option>}
              {staff.data?.map((member) => (
                <option key={member.reference} value={member.reference}>
                  {member.name}
                  {member.role ? ` (${member.role})` : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="work-item__actions">
          {open && (
            <button type="button" className="button" disabled={busy} onClick={() => noReply.mutate({ task: open })}>
              No reply needed
            </button>
          )}
          {row.headerReference && header.data && (
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() =>
                threadStatus.mutate({
                  headerReference: row.headerReference ?? '',
                  status: closed ? 'in-progress' : 'completed',
                })
              }
            >
              {closed ? 'Reopen thread' : 'Close thread'}
            </button>
          )}
        </span>
        {problem && (
          <p className="work-item__error" role="alert">
            Not saved: {problem.message}
          </p>
        )}
        {staff.isError && (
          <p className="work-item__error" role="alert">
            Could not load the staff list: {staff.error.message}
          </p>
        )}
      </div>
      <ThreadScreen key={row.patientId} patientId={row.patientId} />
    </section>
  );
}
