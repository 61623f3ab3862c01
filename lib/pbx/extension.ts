import { InvalidExtensionError } from '../monitor/errors';

/** Longest extension Earshot dials (E.164 numbers have at most 15 digits). */
export const MAX_EXTENSION_LENGTH = 15;

/**
 * Validates an extension taken from a portal page or typed by a user before
 * it goes into a dial string. Only digits, 1 to {@link MAX_EXTENSION_LENGTH}
 * of them, after trimming spaces: `101@evil.example`, `101;transport=tcp`,
 * `*222101` or `101 OR 1=1` are refused with the reason.
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

/** True when `input` is a valid extension (see {@link validateExtension}). */
export function isValidExtension(input: string): boolean {
  try {
    validateExtension(input);
    return true;
  } catch {
    return false;
  }
}
