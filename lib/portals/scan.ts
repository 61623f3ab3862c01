import type { Scope } from '../monitor/modes';
import { isValidExtension } from '../contract/extension';
import { scopeFromText, type Field, type PortalAdapter } from './adapter';
import { cleanParty } from './on-net';

/** One agent row as the portal shows it. Strings are text, never HTML. */
export interface AgentRow {
  row: Element;
  extension: string;
  name?: string;
  /** Where the icon goes. */
  slot: Element;
  /** The portal's own call column says the agent is on a call (undefined when the adapter has none). */
  portalOnCall?: boolean;
  /** The other party of the agent's call as the portal shows it (a number or SIP address, validated), when it does. */
  otherParty?: string;
  /** False when the portal says the signed-in user may not monitor this agent (the adapter's `rowMonitorRight` is missing from the row). */
  monitorRight?: boolean;
}

/** Rows of an `otherPartyTable` read at most (a hostile page may hold millions). */
const MAX_TABLE_ROWS = 500;

/** A selector the page cannot break us with: an invalid one finds nothing. */
function safeQuery(root: ParentNode, selector: string | undefined): Element | null {
  if (!selector) return null;
  try {
    return root.querySelector(selector);
  } catch {
    return null;
  }
}

function safeMatches(element: Element, selector: string): boolean {
  try {
    return element.matches(selector);
  } catch {
    return false;
  }
}

function text(element: Element | null): string {
  return (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function regExp(source: string | undefined, flags = ''): RegExp | undefined {
  if (!source) return undefined;
  try {
    return new RegExp(source, flags);
  } catch {
    return undefined;
  }
}

/** Compiled form of an adapter, so hot paths do not recompile patterns per row. */
export interface CompiledAdapter {
  adapter: PortalAdapter;
  extensionPattern?: RegExp;
  onCall?: RegExp;
  /** Each Field's pattern, compiled once. */
  patterns: WeakMap<Field, RegExp | undefined>;
  /** The table of calls read in this task (see callsByName). */
  calls?: { root: ParentNode; byName: Map<string, string | null> };
}

export function compileAdapter(adapter: PortalAdapter): CompiledAdapter {
  const patterns = new WeakMap<Field, RegExp | undefined>();
  const asField = (value: PortalAdapter['call']) => (value !== undefined && typeof value !== 'string' ? [value] : []);
  const fields = [
    ...(Array.isArray(adapter.extension) ? adapter.extension : []),
    ...asField(adapter.call),
    ...asField(adapter.userScope),
    ...asField(adapter.userExtension),
    ...(adapter.otherParty ?? []),
    ...(adapter.ignore ? [adapter.ignore] : []),
    ...(adapter.otherPartyTable ? [adapter.otherPartyTable.agentName, adapter.otherPartyTable.party] : []),
  ];
  for (const field of fields) patterns.set(field, regExp(field.pattern, 'i'));
  return { adapter, extensionPattern: regExp(adapter.extensionPattern), onCall: regExp(adapter.onCallPattern, 'i'), patterns };
}

/** One {@link Field} of a row (or of the document): its value (trimmed, bounded), or undefined when it does not have it. */
export function readField(root: ParentNode, field: Field, compiled: CompiledAdapter): string | undefined {
  if (field.when && !safeQuery(root, field.when)) return undefined;
  const element = field.selector ? safeQuery(root, field.selector) : isElement(root) ? root : null;
  if (!element) return undefined;
  let value = (field.attribute ? (element.getAttribute(field.attribute) ?? '') : text(element)).slice(0, 2000);
  if (field.pattern) {
    const pattern = compiled.patterns.get(field);
    value = pattern?.exec(value)?.[1] ?? '';
  }
  value = value.trim();
  return value === '' ? undefined : value;
}

/** Just the row's extension (cheap: one query), or undefined when it has none valid. */
export function readExtension(row: Element, compiled: CompiledAdapter): string | undefined {
  const { adapter } = compiled;
  if (Array.isArray(adapter.extension)) {
    for (const field of adapter.extension) {
      const value = readField(row, field, compiled);
      if (value !== undefined && isValidExtension(value)) return value;
    }
    return undefined;
  }
  const extensionElement = safeQuery(row, adapter.extension);
  if (!extensionElement) return undefined;
  let extension = adapter.extensionAttribute
    ? (extensionElement.getAttribute(adapter.extensionAttribute) ?? '').trim()
    : text(extensionElement);
  if (compiled.extensionPattern) extension = compiled.extensionPattern.exec(extension)?.[1] ?? '';
  return isValidExtension(extension) ? extension.trim() : undefined;
}

/**
 * Reads one row; undefined when it has no valid extension (a header row, a
 * hostile `101@evil.example`) or the adapter ignores it: such rows get no icon.
 */
export function readRow(row: Element, compiled: CompiledAdapter): AgentRow | undefined {
  const { adapter } = compiled;
  if (adapter.ignore && readField(row, adapter.ignore, compiled) !== undefined) return undefined;
  const extension = readExtension(row, compiled);
  if (extension === undefined) return undefined;
  const name = text(safeQuery(row, adapter.name)).slice(0, 120) || undefined;
  const slot = safeQuery(row, adapter.iconSlot) ?? row;
  const portalOnCall = readOnCall(row, compiled);
  const otherParty = readOtherParty(row, extension, name, compiled);
  const monitorRight = adapter.rowMonitorRight ? safeQuery(row, adapter.rowMonitorRight) !== null : undefined;
  return { row, extension, name, slot, portalOnCall, ...(otherParty ? { otherParty } : {}), ...(monitorRight === false ? { monitorRight } : {}) };
}

/** Whether the portal's call column shows the agent on a call (undefined: the adapter has none, or the row lacks it). */
function readOnCall(row: Element, compiled: CompiledAdapter): boolean | undefined {
  const { adapter } = compiled;
  if (adapter.call === undefined || !compiled.onCall) return undefined;
  if (typeof adapter.call !== 'string') {
    if (adapter.call.selector && !safeQuery(row, adapter.call.selector)) return undefined;
    return compiled.onCall.test(readField(row, adapter.call, compiled) ?? '');
  }
  const callElement = safeQuery(row, adapter.call);
  if (!callElement) return undefined;
  const callText = adapter.callAttribute ? (callElement.getAttribute(adapter.callAttribute) ?? '') : text(callElement);
  return compiled.onCall.test(callText.slice(0, 2000));
}

/**
 * The other party of the agent's call as the page shows it: the row's own
 * fields first, then the document's table of calls by the agent's name. Only
 * a value {@link cleanParty} accepts, and never the agent itself (a handler
 * naming both parties names the agent too). A name two calls claim is
 * ambiguous: unknown.
 */
function readOtherParty(row: Element, extension: string, name: string | undefined, compiled: CompiledAdapter): string | undefined {
  const { adapter } = compiled;
  for (const field of adapter.otherParty ?? []) {
    const party = cleanParty(readField(row, field, compiled));
    if (party && party.user !== extension) return party.text;
  }
  if (!adapter.otherPartyTable || !name) return undefined;
  const party = callsByName(row.ownerDocument ?? (row.getRootNode() as ParentNode), compiled).get(name);
  return party && cleanParty(party)?.user !== extension ? party : undefined;
}

/**
 * The adapter's table of calls as agent name → party (null: two calls claim
 * the name). Read once per task, however many rows ask: a wholesale
 * re-render re-reads every agent row at once, and each would otherwise scan
 * the whole table again.
 */
function callsByName(root: ParentNode, compiled: CompiledAdapter): Map<string, string | null> {
  const cached = compiled.calls;
  if (cached?.root === root) return cached.byName;
  const byName = new Map<string, string | null>();
  compiled.calls = { root, byName };
  queueMicrotask(() => {
    if (compiled.calls?.byName === byName) compiled.calls = undefined;
  });
  const table = compiled.adapter.otherPartyTable!;
  let rows: NodeListOf<Element>;
  try {
    rows = root.querySelectorAll(table.rows);
  } catch {
    return byName;
  }
  const limit = Math.min(rows.length, MAX_TABLE_ROWS);
  for (let i = 0; i < limit; i++) {
    const callRow = rows[i]!;
    const agent = readField(callRow, table.agentName, compiled);
    const party = cleanParty(readField(callRow, table.party, compiled))?.text;
    if (agent === undefined || party === undefined) continue;
    const known = byName.get(agent);
    byName.set(agent, known === undefined || known === party ? party : null);
  }
  return byName;
}

/** Every agent row under `root` (the document, or a subtree that changed). */
export function findRows(root: ParentNode, compiled: CompiledAdapter): Element[] {
  const found: Element[] = [];
  if (isElement(root) && safeMatches(root, compiled.adapter.rows)) found.push(root);
  try {
    found.push(...root.querySelectorAll(compiled.adapter.rows));
  } catch {
    // An invalid selector from policy finds nothing; the options page reports it.
  }
  return found;
}

/** The row an element belongs to, if any. */
export function rowOf(element: Element, compiled: CompiledAdapter): Element | null {
  try {
    return element.closest(compiled.adapter.rows);
  } catch {
    return null;
  }
}

/** What the portal shows about who is signed in: its role as an Earshot scope, its extension, its monitoring right. */
export interface PortalUserReading {
  scope?: Scope;
  extension?: string;
  /** The adapter knows where the portal says so: whether it gives this user monitoring (undefined: it does not say). */
  monitorRight?: boolean;
}

/** A document-level value: a {@link Field}, or a selector whose text (or `attribute`) it is. */
function readDocumentValue(root: ParentNode, value: PortalAdapter['userScope'], attribute: string | undefined, compiled: CompiledAdapter): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return readField(root, value, compiled) ?? '';
  const element = safeQuery(root, value);
  return attribute ? (element?.getAttribute(attribute) ?? '') : text(element);
}

/** The signed-in user as the portal shows it, when it does. */
export function readUser(root: ParentNode, adapter: PortalAdapter, compiled: CompiledAdapter = compileAdapter(adapter)): PortalUserReading {
  const roleText = readDocumentValue(root, adapter.userScope, adapter.userScopeAttribute, compiled);
  const scope = scopeFromText(roleText.slice(0, 120), adapter.scopeMap);
  const raw = readDocumentValue(root, adapter.userExtension, adapter.userExtensionAttribute, compiled);
  const extension = isValidExtension(raw) ? raw.trim() : undefined;
  const monitorRight = adapter.monitorRight ? safeQuery(root, adapter.monitorRight) !== null : undefined;
  return { ...(scope ? { scope } : {}), ...(extension ? { extension } : {}), ...(monitorRight !== undefined ? { monitorRight } : {}) };
}

function isElement(node: ParentNode): node is Element {
  return typeof (node as Partial<Element>).matches === 'function';
}
