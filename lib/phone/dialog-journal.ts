import { Grammar, type Core, type UserAgent } from 'sip.js';
import { z } from 'zod/mini';
import { isExtension } from '../contract/extension';
import { messageOf } from './errors';

/**
 * A monitor call's dialog as RFC 3261 §12 defines it, kept where the next
 * engine can read it (the extension origin's IndexedDB: lib/platform/dialog-store.ts)
 * so that a call whose engine died (Chrome's offscreen document crashed or
 * closed, Firefox's background page reloaded) is not left at the PBX: the
 * next engine ends it with a BYE in that dialog. No secret is in it.
 */
export interface MonitorDialogRecord {
  version: 1;
  /** The engine session the call belonged to, and its agent, for the log lines. */
  sessionId: string;
  agent: string;
  name?: string;
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From (ours) and To (the PBX's) of the dialog, the PBX's Contact, and the Record-Route set. */
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  routeSet: string[];
  /** The CSeq of our next request in the dialog. */
  nextCseq: number;
  savedAt: number;
  /** The session log already has this session's End row (the engine or the link wrote it). */
  endLogged: boolean;
}

const sipUri = z.string().check(
  z.maxLength(2000),
  z.refine((value) => Grammar.URIParse(value) !== undefined, 'not a SIP URI'),
);
const token = z.string().check(z.minLength(1), z.maxLength(256));

export const monitorDialogRecordSchema = z.object({
  version: z.literal(1),
  sessionId: token,
  agent: z.string().check(z.refine(isExtension, 'not an extension')),
  name: z.optional(z.string().check(z.maxLength(200))),
  callId: token,
  localTag: token,
  remoteTag: token,
  localUri: sipUri,
  remoteUri: sipUri,
  remoteTarget: sipUri,
  routeSet: z.array(z.string().check(z.maxLength(2000))).check(z.maxLength(16)),
  nextCseq: z.int().check(z.positive()),
  savedAt: z.number(),
  endLogged: z.boolean(),
});

/** What the store holds: the dialogs of calls that were up (one at a time, more when an engine died before it ended the last). */
export const monitorDialogRecordsSchema = z.array(monitorDialogRecordSchema).check(z.maxLength(8));

/** At most this many records are kept: older ones are dropped first. */
const MAX_RECORDS = 8;

/** Where the records live; the engine's host gives one (none: nothing is kept, as in unit tests of other parts). */
export interface MonitorDialogStore {
  /** The stored value as it is (checked by the journal). */
  read(): Promise<unknown>;
  write(records: MonitorDialogRecord[]): Promise<void>;
}

/** Reads and checks a store's value: the records, or why they were not readable. */
export async function readDialogRecords(store: MonitorDialogStore): Promise<{ records: MonitorDialogRecord[]; problem?: string }> {
  const raw = await store.read();
  if (raw === undefined) return { records: [] };
  const parsed = monitorDialogRecordsSchema.safeParse(raw);
  if (parsed.success) return { records: parsed.data };
  return { records: [], problem: parsed.error.issues[0]?.message ?? 'invalid' };
}

/** The dialog part of a record, from a sip.js dialog (Session.dialog). */
export type DialogIds = Pick<
  MonitorDialogRecord,
  'callId' | 'localTag' | 'remoteTag' | 'localUri' | 'remoteUri' | 'remoteTarget' | 'routeSet' | 'nextCseq'
>;

/** The slice of sip.js's SessionDialog a record is made from. */
export interface DialogLike {
  callId: string;
  localTag: string;
  remoteTag: string;
  localURI: { toString(): string };
  remoteURI: { toString(): string };
  remoteTarget: { toString(): string };
  routeSet: string[];
  localSequenceNumber: number | undefined;
}

/**
 * The dialog part of a record from sip.js's session dialog (`Session.dialog`: typed as the core
 * Session interface, the object is the core SessionDialog, whose route set and local CSeq are
 * its Dialog getters); undefined when it is not one.
 */
export function dialogIds(session: object | undefined): DialogIds | undefined {
  const dialog = session as Partial<DialogLike> | undefined;
  if (!dialog || typeof dialog.callId !== 'string' || typeof dialog.localTag !== 'string' || typeof dialog.remoteTag !== 'string') return undefined;
  if (!Array.isArray(dialog.routeSet) || !dialog.localURI || !dialog.remoteURI || !dialog.remoteTarget) return undefined;
  return dialogIdsOf(dialog as DialogLike);
}

function dialogIdsOf(dialog: DialogLike): DialogIds {
  return {
    callId: dialog.callId,
    localTag: dialog.localTag,
    remoteTag: dialog.remoteTag,
    localUri: dialog.localURI.toString(),
    remoteUri: dialog.remoteURI.toString(),
    remoteTarget: dialog.remoteTarget.toString(),
    routeSet: [...dialog.routeSet],
    nextCseq: (dialog.localSequenceNumber ?? 0) + 1,
  };
}

/**
 * The engine's copy of the records, written through to the store one write
 * at a time in order. `leftover` is what a previous engine left (read once,
 * as this engine starts).
 */
export class DialogJournal {
  private records: MonitorDialogRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  /** The records found as this engine started: calls of an engine that died. */
  readonly leftover: Promise<MonitorDialogRecord[]>;

  constructor(
    private readonly store: MonitorDialogStore,
    private readonly report: (text: string) => void,
  ) {
    this.leftover = readDialogRecords(store).then(
      ({ records, problem }) => {
        if (problem) this.report(`Dropped an unreadable record of an earlier monitor call (${problem}).`);
        // Ours now too: kept until each is ended; new calls are added beside them.
        this.records = [...records, ...this.records];
        if (problem) this.flush();
        return records;
      },
      (error: unknown) => {
        this.report(`Could not read the record of an earlier monitor call: ${messageOf(error)}`);
        return [];
      },
    );
  }

  /** A call is up (or sent a request in its dialog): its dialog as it is now. */
  keep(record: MonitorDialogRecord): void {
    const others = this.records.filter((r) => r.callId !== record.callId);
    this.records = [...others, record].slice(-MAX_RECORDS);
    this.flush();
  }

  /** The call ended (or its orphan was dealt with): no record of it any more. */
  forget(callId: string): void {
    if (!this.records.some((r) => r.callId === callId)) return;
    this.records = this.records.filter((r) => r.callId !== callId);
    this.flush();
  }

  /** The session log has the session's End row. */
  markEndLogged(sessionId: string): void {
    if (!this.records.some((r) => r.sessionId === sessionId && !r.endLogged)) return;
    this.records = this.records.map((r) => (r.sessionId === sessionId ? { ...r, endLogged: true } : r));
    this.flush();
  }

  /** Resolves once every write so far is done (tests, and the engine's dispose). */
  settled(): Promise<void> {
    return this.writing;
  }

  private flush(): void {
    const snapshot = this.records.map((r) => ({ ...r, routeSet: [...r.routeSet] }));
    this.writing = this.writing
      .then(() => this.store.write(snapshot))
      .catch((error: unknown) => this.report(`Could not keep the record of the monitor call: ${messageOf(error)}`));
  }
}

/** How the PBX answered the BYE for an orphaned call. */
export type OrphanByeOutcome = { kind: 'ended' | 'gone' | 'retry' | 'refused'; statusCode: number; reason: string };

/**
 * Sends the BYE of a dialog this UserAgent never had (its engine died): the
 * request sip.js's own dialog would make (RFC 3261 §12.2.1.1: R-URI the remote
 * target, Route the route set, To/From with the dialog's tags, the Call-ID, the
 * next CSeq), built with the UserAgentCore and sent as a non-INVITE transaction
 * (which answers a digest challenge itself, with the UserAgent's credentials).
 */
export function sendOrphanBye(ua: UserAgent, record: MonitorDialogRecord): Promise<OrphanByeOutcome> {
  const core = ua.userAgentCore;
  const target = Grammar.URIParse(record.remoteTarget);
  const from = Grammar.URIParse(record.localUri);
  const to = Grammar.URIParse(record.remoteUri);
  if (!target || !from || !to) return Promise.resolve({ kind: 'refused', statusCode: 0, reason: 'the record has no valid URIs' });
  const message = core.makeOutgoingRequestMessage('BYE', target, from, to, {
    callId: record.callId,
    cseq: record.nextCseq,
    fromTag: record.localTag,
    toTag: record.remoteTag,
    routeSet: record.routeSet,
  });
  return new Promise<OrphanByeOutcome>((resolve) => {
    const answer = (response: Core.IncomingResponse) => {
      const statusCode = response.message.statusCode ?? 0;
      resolve({ kind: byeOutcome(statusCode), statusCode, reason: response.message.reasonPhrase ?? '' });
    };
    try {
      core.request(message, { onAccept: answer, onReject: answer });
    } catch (error) {
      resolve({ kind: 'retry', statusCode: 0, reason: messageOf(error) });
    }
  });
}

/** 2xx: ended; 481/404: the PBX had ended it already; 408 (no answer) and 5xx: try again later; other refusals: give up. */
export function byeOutcome(statusCode: number): OrphanByeOutcome['kind'] {
  if (statusCode >= 200 && statusCode < 300) return 'ended';
  if (statusCode === 481 || statusCode === 404) return 'gone';
  if (statusCode === 408 || statusCode >= 500 || statusCode === 0) return 'retry';
  return 'refused';
}
