/**
 * The simulator's message log: Twilio's side of the two durable stores the relay reconciles against (DESIGN.md,
 * "Reconcile"). Every change is appended as one JSON line and written before the API answers, so a message Twilio
 * accepted survives a restart of the sandbox; on open, the file is replayed (last line per SID wins) and compacted.
 * Opt-outs (a phone that texted STOP to a practice number) are kept in the same file.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { MessageRecord } from './messageRecord';

const FILE_NAME = 'phone-messages.jsonl';

type LogLine =
  { t: 'message'; message: MessageRecord } | { t: 'optout'; phone: string; practice: string; optedOut: boolean };

/** Emitted as `change` with the changed message, after it is written. */
export interface MessageLogEvents {
  change: [MessageRecord];
}

export interface MessageLog {
  /** Every message, oldest first. */
  all(): readonly MessageRecord[];
  get(sid: string): MessageRecord | undefined;
  /** Inserts or replaces a message and writes it through. */
  put(message: MessageRecord): void;
  nextSeq(): number;
  /** Whether `phone` has opted out of texts from `practice`; undefined when it never said either way. */
  optOutState(phone: string, practice: string): boolean | undefined;
  setOptOut(phone: string, practice: string, optedOut: boolean): void;
  /** Forgets everything (test hook). */
  clear(): void;
  readonly events: EventEmitter<MessageLogEvents>;
  close(): void;
}

const optOutKey = (phone: string, practice: string): string => `${phone}|${practice}`;

/** Opens the log in `dataDir` (created if missing), or an in-memory log when `dataDir` is undefined. */
export function openMessageLog(dataDir: string | undefined): MessageLog {
  const messages = new Map<string, MessageRecord>();
  // Creation order, kept incrementally: seq only grows, so a new SID always goes at the end.
  let ordered: MessageRecord[] = [];
  const position = new Map<string, number>();
  const optOuts = new Map<string, boolean>();
  const events = new EventEmitter<MessageLogEvents>();
  events.setMaxListeners(0);
  let seq = 0;
  let fd: number | undefined;
  const file = dataDir === undefined ? undefined : path.join(dataDir, FILE_NAME);

  const apply = (line: LogLine): void => {
    if (line.t === 'message') {
      messages.set(line.message.sid, line.message);
      seq = Math.max(seq, line.message.seq);
    } else {
      optOuts.set(optOutKey(line.phone, line.practice), line.optedOut);
    }
  };

  const snapshot = (): string =>
    [
      ...[...messages.values()].map((message): LogLine => ({ t: 'message', message })),
      ...[...optOuts].map(([key, optedOut]): LogLine => {
        const [phone = '', practice = ''] = key.split('|');
        return { t: 'optout', phone, practice, optedOut };
      }),
    ]
      .map((line) => JSON.stringify(line) + '\n')
      .join('');

  if (file !== undefined && dataDir !== undefined) {
    fs.mkdirSync(dataDir, { recursive: true });
    if (fs.existsSync(file)) {
      for (const text of fs.readFileSync(file, 'utf8').split('\n')) {
        if (text.trim() === '') continue;
        try {
          apply(JSON.parse(text) as LogLine);
        } catch {
          // A line cut short by a crash mid-write: everything before it is intact, so skip it.
        }
      }
    }
    // Compact: one line per message, written to a temporary file first so a crash here loses nothing.
    const temporary = `${file}.tmp`;
    fs.writeFileSync(temporary, snapshot());
    fs.renameSync(temporary, file);
    fd = fs.openSync(file, 'a');
  }

  const append = (line: LogLine): void => {
    if (fd !== undefined) fs.writeSync(fd, JSON.stringify(line) + '\n');
  };

  const reindex = (): void => {
    ordered = [...messages.values()].sort((a, b) => a.seq - b.seq);
    position.clear();
    ordered.forEach((message, index) => position.set(message.sid, index));
  };
  reindex();

  return {
    all: () => ordered,
    get: (sid) => messages.get(sid),
    put(message) {
      append({ t: 'message', message });
      messages.set(message.sid, message);
      const index = position.get(message.sid);
      if (index !== undefined) {
        ordered[index] = message;
      } else if (message.seq > (ordered.at(-1)?.seq ?? 0)) {
        position.set(message.sid, ordered.length);
        ordered.push(message);
      } else {
        reindex();
      }
      seq = Math.max(seq, message.seq);
      events.emit('change', message);
    },
    nextSeq: () => ++seq,
    optOutState: (phone, practice) => optOuts.get(optOutKey(phone, practice)),
    setOptOut(phone, practice, optedOut) {
      append({ t: 'optout', phone, practice, optedOut });
      optOuts.set(optOutKey(phone, practice), optedOut);
    },
    clear() {
      messages.clear();
      optOuts.clear();
      reindex();
      seq = 0;
      if (fd !== undefined && file !== undefined) {
        fs.ftruncateSync(fd, 0);
      }
    },
    events,
    close() {
      if (fd !== undefined) {
        fs.closeSync(fd);
        fd = undefined;
      }
      events.removeAllListeners();
    },
  };
}
