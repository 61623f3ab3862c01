import type { Scope } from '../monitor/modes';
import { isValidExtension } from '../contract/extension';
import { scopeFromText, type PortalAdapter } from './adapter';

/** One agent row as the portal shows it. Strings are text, never HTML. */
export interface AgentRow {
  row: Element;
  extension: string;
  name?: string;
  /** Where the icon goes. */
  slot: Element;
  /** The portal's own call column says the agent is on a call (undefined when the adapter has none). */
  portalOnCall?: boolean;
}

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
}

export function compileAdapter(adapter: PortalAdapter): CompiledAdapter {
  return { adapter, extensionPattern: regExp(adapter.extensionPattern), onCall: regExp(adapter.onCallPattern, 'i') };
}

/**
 * Reads one row; undefined when it has no valid extension (a header row, a
 * hostile `101@evil.example`): such rows get no icon.
 */
/** Just the row's extension (cheap: one query), or undefined when it has none valid. */
export function readExtension(row: Element, compiled: CompiledAdapter): string | undefined {
  const { adapter } = compiled;
  const extensionElement = safeQuery(row, adapter.extension);
  if (!extensionElement) return undefined;
  let extension = adapter.extensionAttribute
    ? (extensionElement.getAttribute(adapter.extensionAttribute) ?? '').trim()
    : text(extensionElement);
  if (compiled.extensionPattern) extension = compiled.extensionPattern.exec(extension)?.[1] ?? '';
  return isValidExtension(extension) ? extension.trim() : undefined;
}

export function readRow(row: Element, compiled: CompiledAdapter): AgentRow | undefined {
  const { adapter } = compiled;
  const extension = readExtension(row, compiled);
  if (extension === undefined) return undefined;
  const name = text(safeQuery(row, adapter.name)).slice(0, 120) || undefined;
  const slot = safeQuery(row, adapter.iconSlot) ?? row;
  const callElement = adapter.call ? safeQuery(row, adapter.call) : null;
  const portalOnCall = callElement && compiled.onCall ? compiled.onCall.test(text(callElement)) : undefined;
  return { row, extension, name, slot, portalOnCall };
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

/** The signed-in user as the portal shows it, when it does. */
export function readUser(root: ParentNode, adapter: PortalAdapter): { scope?: Scope; extension?: string } {
  const scope = scopeFromText(text(safeQuery(root, adapter.userScope)));
  const extensionElement = safeQuery(root, adapter.userExtension);
  const raw = adapter.userExtensionAttribute
    ? (extensionElement?.getAttribute(adapter.userExtensionAttribute) ?? '')
    : text(extensionElement);
  const extension = isValidExtension(raw) ? raw.trim() : undefined;
  return { ...(scope ? { scope } : {}), ...(extension ? { extension } : {}) };
}

function isElement(node: ParentNode): node is Element {
  return typeof (node as Partial<Element>).matches === 'function';
}
