import type { AgentCallState, AgentDialogState } from '../state/snapshot';

/** Largest dialog-info body accepted (a busy agent's full state is a few KiB). */
export const MAX_DIALOG_INFO_CHARS = 64 * 1024;

/** One `<dialog>` of an RFC 4235 dialog-info document, as much as Earshot needs of it. */
export interface DialogInfoDialog {
  id: string;
  /** Lower-cased `<state>` text: trying, proceeding, early, confirmed, terminated. */
  state: string;
  direction?: 'initiator' | 'recipient';
  /** The agent's counterpart; present in Asterisk's early NOTIFY only. */
  remote?: { uri: string; display?: string };
}

/** A parsed `application/dialog-info+xml` body. */
export interface DialogInfo {
  entity?: string;
  version?: number;
  /** `full` replaces what is known; `partial` updates the dialogs it lists. */
  kind: 'full' | 'partial';
  dialogs: DialogInfoDialog[];
}

/** Why a dialog-info body was refused. */
export class DialogInfoParseError extends Error {
  override readonly name = 'DialogInfoParseError';
}

/** The XML parser the host offers (`DOMParser` in pages; happy-dom's in tests). */
export interface XmlParser {
  parseFromString(text: string, type: 'application/xml'): Document;
}

function defaultXmlParser(): XmlParser {
  const Ctor = (globalThis as { DOMParser?: new () => XmlParser }).DOMParser;
  if (!Ctor) throw new DialogInfoParseError('No XML parser in this context.');
  return new Ctor();
}

function children(parent: Element, localName: string): Element[] {
  return Array.from(parent.children).filter((el) => el.localName === localName);
}

function text(el: Element | undefined): string | undefined {
  const value = el?.textContent?.trim();
  return value ? value : undefined;
}

/**
 * Parses a dialog-info body defensively: bounded size, no DTD (so no entity
 * expansion tricks), well-formed XML with a `dialog-info` root. Throws
 * {@link DialogInfoParseError} otherwise; the caller logs and keeps its state.
 */
export function parseDialogInfo(body: string, parser: XmlParser = defaultXmlParser()): DialogInfo {
  if (body.length > MAX_DIALOG_INFO_CHARS) {
    throw new DialogInfoParseError(`dialog-info body too large (${body.length} characters)`);
  }
  // A DTD is never needed for dialog-info and is the door to entity expansion.
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(body)) {
    throw new DialogInfoParseError('dialog-info body with a DOCTYPE or ENTITY declaration refused');
  }
  const doc = parser.parseFromString(body, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length > 0) {
    throw new DialogInfoParseError('dialog-info body is not well-formed XML');
  }
  const root = doc.documentElement;
  if (!root || root.localName !== 'dialog-info') {
    throw new DialogInfoParseError(`unexpected root element <${root?.localName ?? 'none'}>`);
  }
  const versionText = root.getAttribute('version');
  const version = versionText !== null && /^\d+$/.test(versionText) ? Number(versionText) : undefined;
  const dialogs: DialogInfoDialog[] = children(root, 'dialog').map((el, index) => {
    const direction = el.getAttribute('direction');
    const remoteEl = children(el, 'remote')[0];
    const identityEl = remoteEl ? children(remoteEl, 'identity')[0] : undefined;
    const uri = text(identityEl);
    const display = identityEl?.getAttribute('display')?.trim();
    return {
      id: el.getAttribute('id') ?? `#${index}`,
      state: (text(children(el, 'state')[0]) ?? 'terminated').toLowerCase(),
      ...(direction === 'initiator' || direction === 'recipient' ? { direction } : {}),
      ...(uri ? { remote: { uri, ...(display ? { display } : {}) } } : {}),
    };
  });
  return {
    ...(root.getAttribute('entity') ? { entity: root.getAttribute('entity') ?? undefined } : {}),
    ...(version !== undefined ? { version } : {}),
    kind: root.getAttribute('state') === 'partial' ? 'partial' : 'full',
    dialogs,
  };
}

/** What the engine remembers per watched agent between NOTIFYs. */
export interface AgentDialogMemory {
  /** Dialog id → last known state. */
  dialogs: Map<string, string>;
  /** Counterpart remembered from an early (or any) NOTIFY that named it, for the current call. */
  remote?: { uri: string; display?: string };
  /** When the current call was confirmed (ms epoch). */
  since?: number;
}

const ACTIVE_EARLY = new Set(['trying', 'proceeding', 'early']);

/** The agent's overall state from its dialogs: confirmed wins over early, early over terminated. */
export function summarizeDialogs(dialogs: ReadonlyMap<string, string>): AgentDialogState {
  const states = [...dialogs.values()];
  if (states.includes('confirmed')) return 'confirmed';
  if (states.some((s) => ACTIVE_EARLY.has(s))) return 'early';
  if (states.length > 0) return 'terminated';
  return 'idle';
}

/**
 * Applies one parsed NOTIFY to an agent's memory and returns the agent's new
 * state. The remote identity is kept from the early NOTIFY because Asterisk's
 * confirmed NOTIFY carries none; it is forgotten when the call ends.
 */
export function applyDialogInfo(
  memory: AgentDialogMemory,
  info: DialogInfo,
  agent: { extension: string; name?: string },
  classify: (uri: string) => boolean,
  now: number,
): AgentCallState {
  if (info.kind === 'full') memory.dialogs.clear();
  for (const dialog of info.dialogs) {
    if (dialog.state === 'terminated' && info.kind === 'partial') memory.dialogs.delete(dialog.id);
    else memory.dialogs.set(dialog.id, dialog.state);
    if (dialog.remote && dialog.state !== 'terminated') memory.remote = dialog.remote;
  }
  const dialog = summarizeDialogs(memory.dialogs);
  if (dialog === 'confirmed') memory.since ??= now;
  else if (dialog !== 'early') {
    // The call is over: the next call's counterpart must come from its own early NOTIFY.
    memory.remote = undefined;
    memory.since = undefined;
  }
  const remote = memory.remote;
  return {
    extension: agent.extension,
    ...(agent.name ? { name: agent.name } : {}),
    dialog,
    ...(remote
      ? { remote: { uri: remote.uri, ...(remote.display ? { display: remote.display } : {}), onNet: classify(remote.uri) } }
      : {}),
    ...(dialog === 'confirmed' && memory.since !== undefined ? { since: memory.since } : {}),
  };
}
