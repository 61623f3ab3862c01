import { z } from 'zod';
import { DEFAULT_SETTINGS, fieldLabel, settingsSchema } from './schema';

/**
 * The leaves of the settings schema: the unit of merging. A leaf is anything
 * that is not a group (z.object); lists (iceServers, monitorScopes) are one
 * leaf each, so a layer replaces a whole list, never half of one.
 */
export interface LeafField {
  path: string;
  /** The leaf's schema without its default/optional wrapper: absent is handled by the merge. */
  schema: z.ZodType;
}

/** Unwraps .optional() / .default() / .prefault() to the schema inside. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

function collectLeaves(schema: z.ZodObject, prefix: string, out: LeafField[], groups: string[]): void {
  for (const [key, child] of Object.entries(schema.shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const inner = unwrap(child as z.ZodType);
    if (inner instanceof z.ZodObject) {
      groups.push(path);
      collectLeaves(inner, path, out, groups);
    } else {
      out.push({ path, schema: inner });
    }
  }
}

const leaves: LeafField[] = [];
const groupPaths: string[] = [];
collectLeaves(settingsSchema, '', leaves, groupPaths);

/** Every leaf, in schema order (the order forms and reports use). */
export const LEAF_FIELDS: readonly LeafField[] = leaves;
export const LEAF_PATHS: readonly string[] = leaves.map((leaf) => leaf.path);
/** Paths of the groups (pbx, profile, profile.modeCodes, ...). */
export const GROUP_PATHS: readonly string[] = groupPaths;
const LEAF_BY_PATH = new Map(leaves.map((leaf) => [leaf.path, leaf]));

export function isLeafPath(path: string): boolean {
  return LEAF_BY_PATH.has(path);
}

/** The leaf a (possibly deeper) error path belongs to, e.g. iceServers.0.urls → iceServers. */
export function leafOf(path: string): string | undefined {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('.');
    if (LEAF_BY_PATH.has(candidate)) return candidate;
  }
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path, or undefined when any step is missing or not an object. */
export function getAt(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const key of path.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Sets (or, with undefined, deletes) a dotted path, creating groups on the way. Mutates root. */
export function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let current = root;
  for (const key of keys) {
    const next = current[key];
    if (!isPlainObject(next)) {
      if (value === undefined) return;
      current[key] = {};
    }
    current = current[key] as Record<string, unknown>;
  }
  if (value === undefined) delete current[last];
  else current[last] = value;
}

/** The default of a leaf (undefined for optional leaves without one). */
export function defaultAt(path: string): unknown {
  return getAt(DEFAULT_SETTINGS, path);
}

/** One problem with one value. `path` may go below the leaf (iceServers.0.urls). */
export interface FieldProblem {
  path: string;
  field: string;
  message: string;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'on or off (true/false)',
  array: 'a list',
  object: 'a group of settings',
  record: 'a map of names to values',
};

/** A zod issue in plain language, prefixed with the field's label. */
export function describeIssue(field: string, issue: z.core.$ZodIssue): string {
  let text: string;
  switch (issue.code) {
    case 'invalid_type':
      text = `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
      break;
    case 'invalid_value':
      text = `use one of: ${issue.values.map(String).join(', ')}`;
      break;
    case 'unrecognized_keys':
      text = `unknown ${issue.keys.length === 1 ? 'entry' : 'entries'}: ${issue.keys.join(', ')}`;
      break;
    case 'invalid_union':
      // The union (iceServers urls) is one address or a list of them.
      text = 'use stun:, stuns:, turn: or turns: addresses (one, or a list)';
      break;
    default:
      text = issue.message;
  }
  const below = issue.path.length ? ` (${issue.path.map(String).join('.')})` : '';
  return `${fieldLabel(field)}${below}: ${text}`;
}

/** Validates one leaf value; the parsed (normalized) value or its problems. */
export function validateLeaf(
  path: string,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; problems: FieldProblem[] } {
  const leaf = LEAF_BY_PATH.get(path);
  if (!leaf) return { ok: false, problems: [{ path, field: path, message: `${path}: unknown setting` }] };
  const result = leaf.schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({
      path: [path, ...issue.path.map(String)].join('.'),
      field: path,
      message: describeIssue(path, issue),
    })),
  };
}

/**
 * Keys of a layer that match no setting (typos in a policy), and groups that
 * are not objects. Leaves below a broken group read as absent.
 */
export function structureProblems(layer: unknown): FieldProblem[] {
  if (layer === undefined || layer === null) return [];
  if (!isPlainObject(layer)) return [{ path: '', field: '', message: 'Settings: expected a group of settings' }];
  const problems: FieldProblem[] = [];
  const visit = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (GROUP_PATHS.includes(path)) {
        if (isPlainObject(value)) visit(value, path);
        else if (value !== undefined && value !== null) {
          problems.push({ path, field: path, message: `${groupLabel(path)}: expected a group of settings` });
        }
      } else if (!LEAF_BY_PATH.has(path)) {
        problems.push({ path, field: path, message: `${path}: unknown setting, ignored` });
      }
    }
  };
  visit(layer, '');
  return problems;
}

const GROUP_LABELS: Record<string, string> = {
  pbx: 'PBX',
  profile: 'PBX profile',
  'profile.modeCodes': 'Mode codes',
  portal: 'Portal',
  'portal.generic': 'Generic portal selectors',
  rules: 'Rules',
  'rules.user': 'Your user',
  audit: 'Audit trail',
};

function groupLabel(path: string): string {
  return GROUP_LABELS[path] ?? path;
}
