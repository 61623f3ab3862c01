import { InvalidExtensionError } from '../monitor/errors';

/**
 * "A valid extension", the one definition: what a portal row, a typed form
 * field, the engine (watch, start, caller id) and the lab's PBX (the part of
 * a dialled number after the monitor code) all accept. Only digits, 1 to
 * {@link MAX_EXTENSION_LENGTH} of them: nothing that could change a SIP
 * request URI's meaning (`@`, `;`, `:`, `?`, spaces) ever reaches a dial
 * string. Pure: the lab (a Node program) imports it too.
 */

/** Longest extension Earshot dials (E.164 numbers have at most 15 digits). */
export const MAX_EXTENSION_LENGTH = 15;

const EXTENSION = new RegExp(`^\\d{1,${MAX_EXTENSION_LENGTH}}$`);

/** True when `value` is an extension exactly as it is, with no spaces to trim (SIP user parts, dial strings). */
export function isExtension(value: string): boolean {
  return EXTENSION.test(value);
}

/**
 * Validates an extension taken from a portal page or typed by a user before
 * it goes into a dial string, after trimming spaces: `101@evil.example`,
 * `101;transport=tcp`, `*222101` or `101 OR 1=1` are refused with the reason.
 * Returns the trimmed extension.
 */
export function validateExtension(input: string): string {
  const value = input.trim();
  if (value === '') throw new InvalidExtensionError(input, 'it is empty');
  if (!/^\d+$/.test(value)) {
    const bad = [...value].find((c) => !/\d/.test(c)) ?? '';
    throw new InvalidExtensionError(input, `only digits are allowed, found "${bad}"`);
  }
  if (value.length > MAX_EXTENSION_LENGTH) {
    throw new InvalidExtensionError(input, `it has ${value.length} digits, at most ${MAX_EXTENSION_LENGTH} are allowed`);
  }
  return value;
}

/** True when `input` is a valid extension once trimmed (see {@link validateExtension}). */
export function isValidExtension(input: string): boolean {
  return isExtension(input.trim());
}
