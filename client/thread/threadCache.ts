/**
 * The thread in react-query's cache: an infinite query whose pages come newest first (page 0 is the latest).
 * Live updates, optimistic sends and retries are merged in here, so every writer agrees on one shape.
 */
import type { InfiniteData } from '@tanstack/react-query';
import type { ThreadMessage, ThreadPage } from './messageModel';

export type ThreadData = InfiniteData<ThreadPage>;

function newer(a: ThreadMessage, b: ThreadMessage): boolean {
  if (!a.resource) return false;
  if (!b.resource) return true;
  return (a.updatedAt ?? '') >= (b.updatedAt ?? '');
}

/** Puts messages into the thread: replaces the same message (or its optimistic copy), else adds it as newest. */
export function mergeMessages(
  data: ThreadData | undefined,
  incoming: readonly ThreadMessage[],
): ThreadData | undefined {
  if (!data || data.pages.length === 0 || incoming.length === 0) return data;
  const pages = data.pages.map((page) => ({ ...page, messages: [...page.messages] }));
  // Names already resolved on loaded pages name the senders of new messages too.
  const names = new Map<string, string>();
  for (const page of pages) {
    for (const m of page.messages) if (m.senderReference && m.senderName) names.set(m.senderReference, m.senderName);
  }
  for (const arriving of incoming) {
    const known = !arriving.senderName && arriving.senderReference ? names.get(arriving.senderReference) : undefined;
    const message = known ? { ...arriving, senderName: known } : arriving;
    const sameMessage = (m: ThreadMessage): boolean =>
      m.id === message.id ||
      (message.clientMessageId !== undefined && !m.resource && m.clientMessageId === message.clientMessageId);
    const page = pages.find((p) => p.messages.some(sameMessage));
    if (!page) {
      (pages[0] as ThreadPage).messages.unshift(message);
      continue;
    }
    const index = page.messages.findIndex(sameMessage);
    const current = page.messages[index] as ThreadMessage;
    if (newer(message, current)) page.messages[index] = message;
  }
  return { ...data, pages };
}

/** Replaces one message by id with a transformed copy. */
export function updateMessage(
  data: ThreadData | undefined,
  id: string,
  change: (message: ThreadMessage) => ThreadMessage,
): ThreadData | undefined {
  if (!data) return data;
  return {
    ...data,
    pages: data.pages.map((page) =>
      page.messages.some((m) => m.id === id)
        ? { ...page, messages: page.messages.map((m) => (m.id === id ? change(m) : m)) }
        : page,
    ),
  };
}

/** Removes one message by id (rollback of an optimistic send). */
export function removeMessage(data: ThreadData | undefined, id: string): ThreadData | undefined {
  if (!data) return data;
  return {
    ...data,
    pages: data.pages.map((page) =>
      page.messages.some((m) => m.id === id) ? { ...page, messages: page.messages.filter((m) => m.id !== id) } : page,
    ),
  };
}

/** The whole loaded thread, oldest first, each message once (a page boundary can repeat one after new arrivals). */
export function flattenThread(data: ThreadData | undefined): ThreadMessage[] {
  if (!data) return [];
  const byId = new Map<string, ThreadMessage>();
  const saved = new Set<string>();
  for (const page of data.pages) {
    for (const message of page.messages) {
      const seen = byId.get(message.id);
      if (!seen || newer(message, seen)) byId.set(message.id, message);
      if (message.resource && message.clientMessageId) saved.add(message.clientMessageId);
    }
  }
  const messages = [...byId.values()].filter((m) => m.resource || !m.clientMessageId || !saved.has(m.clientMessageId));
  return messages.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The latest meta.lastUpdated among loaded messages: where the live poll continues from. */
export function latestUpdate(data: ThreadData | undefined): string | undefined {
  let latest: string | undefined;
  for (const page of data?.pages ?? []) {
    for (const m of page.messages)
      if (m.resource && m.updatedAt && (!latest || m.updatedAt > latest)) latest = m.updatedAt;
  }
  return latest;
}
