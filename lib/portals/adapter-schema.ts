import { z } from 'zod';

/**
 * A portal adapter, as data: how Earshot reads a portal it does not own.
 * Selectors are CSS selectors relative to the row (or to the document for
 * `rows` and `user`). Built-in adapters ship in this folder; the generic one
 * comes entirely from policy, so an admin can fit Earshot to a new portal
 * without a release.
 */
export const portalAdapterSchema = z.strictObject({
  id: z.string().min(1).max(40),
  label: z.string().min(1).max(80),
  /** Every agent row in the document. */
  rows: z.string().min(1).max(300),
  /** In a row: the element whose text (or `extensionAttribute`) is the extension. */
  extension: z.string().min(1).max(300),
  /** Read the extension from this attribute instead of the text. */
  extensionAttribute: z.string().max(60).optional(),
  /** Regular expression with one capture group that extracts the extension from the text. */
  extensionPattern: z.string().max(200).optional(),
  /** In a row: the agent's name. */
  name: z.string().max(300).optional(),
  /** In a row: where the icon goes (appended at the end); the row itself when absent. */
  iconSlot: z.string().max(300).optional(),
  /** In a row: the portal's own call column, used when the PBX gives no dialog state. */
  call: z.string().max(300).optional(),
  /** A row is on a call when the call element's text matches this (case-insensitive). */
  onCallPattern: z.string().max(200).optional(),
  /** In the document: the signed-in user's scope as text. */
  userScope: z.string().max(300).optional(),
  /** In the document: the signed-in user's extension (text or `userExtensionAttribute`). */
  userExtension: z.string().max(300).optional(),
  userExtensionAttribute: z.string().max(60).optional(),
});
export type PortalAdapter = z.infer<typeof portalAdapterSchema>;

