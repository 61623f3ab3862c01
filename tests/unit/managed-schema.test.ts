import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LEAF_FIELDS, validateLeaf } from '@/lib/settings/fields';
import { ADAPTER_LIMITS, portalAdapterSchema } from '@/lib/portals/adapter-schema';
import { GENERIC_KEYS } from '@/lib/portals/generic';
import { mergeSettings } from '@/lib/settings';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema;
  enum?: unknown[];
  maxLength?: number;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
}

const root = resolve(__dirname, '../..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(resolve(root, path), 'utf8'));
const managedSchema = readJson('public/managed_schema.json') as JsonSchema;

/** Leaf paths of the managed schema (an object with properties is a group, like in lib/settings/fields). */
function jsonLeaves(schema: JsonSchema, prefix = ''): Map<string, JsonSchema> {
  const out = new Map<string, JsonSchema>();
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.type === 'object' && child.properties) jsonLeaves(child, path).forEach((v, k) => out.set(k, v));
    else out.set(path, child);
  }
  return out;
}

/** Whether every value the policy schema lets through has a matching shape in zod's input schema. */
function compatible(policy: JsonSchema, zodJson: JsonSchema): boolean {
  if (zodJson.anyOf) return zodJson.anyOf.some((branch) => compatible(policy, branch));
  const zodType = zodJson.type;
  const sameType = policy.type === zodType || (policy.type === 'integer' && zodType === 'number');
  if (!sameType) return false;
  if (policy.enum && zodJson.enum && !policy.enum.every((v) => zodJson.enum?.includes(v))) return false;
  if (zodJson.enum && !policy.enum) return false;
  if (policy.type === 'array') return !!policy.items && !!zodJson.items && compatible(policy.items, zodJson.items);
  if (policy.type === 'object') {
    const zodProps = zodJson.properties ?? {};
    const policyProps = policy.properties ?? {};
    const names = new Set([...Object.keys(zodProps), ...Object.keys(policyProps)]);
    return [...names].every((name) => {
      const p = policyProps[name];
      const zp = zodProps[name];
      return !!p && !!zp && compatible(p, zp);
    });
  }
  return true;
}

/** A minimal validator for the schema subset Chrome accepts (what Chrome checks before publishing a policy). */
function chromeValidate(value: unknown, schema: JsonSchema, path = ''): string[] {
  const problems: string[] = [];
  const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  const ok = actual === schema.type || (schema.type === 'number' && actual === 'integer');
  if (!ok) return [`${path}: ${actual} is not ${schema.type}`];
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${path}: not in enum`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: below minimum`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path}: above maximum`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => problems.push(...chromeValidate(item, schema.items as JsonSchema, `${path}.${i}`)));
  if (schema.type === 'object' && value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[key] ?? schema.additionalProperties;
      if (!childSchema) problems.push(`${path}.${key}: not in schema`);
      else problems.push(...chromeValidate(child, childSchema, path ? `${path}.${key}` : key));
    }
  }
  return problems;
}

// additionalProperties: below the top level only (Chrome's rule), for maps such as portal.generic.scopeMap.
const CHROME_KEYWORDS = new Set(['type', 'properties', 'additionalProperties', 'items', 'enum', 'title', 'description', 'minimum', 'maximum']);

function keywords(schema: JsonSchema, out = new Set<string>()): Set<string> {
  Object.keys(schema).forEach((k) => out.add(k));
  Object.values(schema.properties ?? {}).forEach((child) => keywords(child, out));
  if (schema.items) keywords(schema.items, out);
  if (schema.additionalProperties) keywords(schema.additionalProperties, out);
  return out;
}

describe('public/managed_schema.json', () => {
  const policyLeaves = jsonLeaves(managedSchema);
  const zodLeaves = new Map(LEAF_FIELDS.map((leaf) => [leaf.path, leaf.schema]));

  it('is an object schema Chrome accepts: only supported keywords, one type each, no additionalProperties', () => {
    expect(managedSchema.type).toBe('object');
    expect(managedSchema.additionalProperties).toBeUndefined();
    expect([...keywords(managedSchema)].filter((k) => !CHROME_KEYWORDS.has(k))).toEqual([]);
  });

  // Every setting may come from policy, the password included (docs/managed-policy.md says why and the risk).
  it('has exactly the settings of the zod schema', () => {
    expect([...policyLeaves.keys()].sort()).toEqual([...zodLeaves.keys()].sort());
  });

  it.each(LEAF_FIELDS.map((leaf) => leaf.path))('%s has a type the zod schema accepts', (path) => {
    const policy = policyLeaves.get(path);
    const zodSchema = zodLeaves.get(path);
    expect(policy && zodSchema).toBeTruthy();
    if (!policy || !zodSchema) return;
    const zodJson = z.toJSONSchema(zodSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    expect(compatible(policy, zodJson), JSON.stringify({ policy, zodJson })).toBe(true);
  });
});

describe('the generic portal adapter: one set of limits (ADAPTER_LIMITS) in the adapter schema, the settings and the policy schema', () => {
  const policyLeaves = jsonLeaves(managedSchema);
  const generic = LEAF_FIELDS.filter((leaf) => leaf.path.startsWith('portal.generic.'));

  it('has a settings field and a policy entry for every key of lib/portals/generic.ts', () => {
    const keys = Object.keys(GENERIC_KEYS).map((key) => `portal.generic.${key}`);
    expect(generic.map((leaf) => leaf.path)).toEqual(keys);
    expect([...policyLeaves.keys()].filter((path) => path.startsWith('portal.generic.'))).toEqual(keys);
    // docs/managed-policy.md names every key (its worked example is checked by portal-fixtures.test.ts).
    const doc = readFileSync(resolve(root, 'docs/managed-policy.md'), 'utf8');
    expect(Object.keys(GENERIC_KEYS).filter((key) => !doc.includes(`\`${key}\``))).toEqual([]);
  });

  it.each(generic.map((leaf) => [leaf.path, leaf.schema] as const))('%s: the policy schema states the limit the settings enforce, the adapter schema\'s', (path, schema) => {
    const zodJson = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const description = policyLeaves.get(path)?.description ?? '';
    const kind = GENERIC_KEYS[path.slice('portal.generic.'.length) as keyof typeof GENERIC_KEYS];
    const limit = { selector: ADAPTER_LIMITS.selector, attribute: ADAPTER_LIMITS.attribute, capture: ADAPTER_LIMITS.pattern, test: ADAPTER_LIMITS.pattern, scopeMap: ADAPTER_LIMITS.role }[kind];
    expect(description).toContain(`at most ${limit} characters`);
    const enforced = kind === 'scopeMap' ? (zodJson as { propertyNames?: JsonSchema }).propertyNames?.maxLength : zodJson.maxLength;
    expect(enforced).toBe(limit);
    // The built-in adapters' schema enforces the same: one character more is refused there too.
    if (kind === 'selector') expect(portalAdapterSchema.shape.rows.safeParse('a'.repeat(limit + 1)).success).toBe(false);
    if (kind === 'selector') expect(validateLeaf(path, 'a'.repeat(limit)).ok).toBe(true);
    expect(validateLeaf(path, kind === 'scopeMap' ? { ['r'.repeat(limit + 1)]: 'Office Manager' } : 'a'.repeat(limit + 1)).ok).toBe(false);
  });
});

describe('the policy files in docs/policies (generated by npm run policies)', () => {
  const examples: [string, (doc: unknown) => unknown][] = [
    ['docs/policies/chromium-linux.json', (doc) => (doc as { '3rdparty': { extensions: Record<string, unknown> } })['3rdparty'].extensions.lfflkhoalddonjjnoilhplmibgemjeal],
    ['docs/policies/firefox-policies.json', (doc) => (doc as { policies: { '3rdparty': { Extensions: Record<string, unknown> } } }).policies['3rdparty'].Extensions['earshot@earshot.dev']],
  ];

  it.each(examples)('%s validates against the zod schema and managed_schema.json', (file, extract) => {
    const policy = extract(readJson(file));
    expect(policy).toBeTruthy();
    const result = mergeSettings({ managed: policy });
    expect(result.errors).toEqual([]);
    expect(chromeValidate(policy, managedSchema)).toEqual([]);
  });
});
