import { z } from 'zod';
import { SCOPES } from '../monitor/modes';
import { PROFILE_IDS } from '../contract/engine';
import { PORTAL_ADAPTER_IDS } from '../portals';
import { attributeSchema, patternSchema, scopeMapSchema, selectorSchema } from '../portals/adapter-schema';
import { GENERIC_KEYS, type GenericKey, type GenericKeyKind } from '../portals/generic';
import { auditEndpointProblem, normalizeOrigin, portalOriginProblem, wsUrlProblem } from './origin';

/**
 * The one schema of every Earshot setting. Policy (storage.managed), the
 * user's options and the defaults all follow it; lib/settings/merge.ts walks
 * its leaves to merge field by field. Conventions that walk relies on:
 * - groups are z.object(...).prefault({}) so their defaults fill in;
 * - every leaf is optional or has a default, so a layer may set any subset;
 * - messages are plain language without the field name: the label
 *   (FIELD_LABELS) is put in front when the error is shown.
 */

const DIGITS_STAR_HASH = /^[0-9*#]{1,10}$/;
const NO_SPACE_USER = /^[^\s@:]+$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const ICE_URL = /^(stuns?|turns?):[^\s]+$/i;

/** A regular expression source that compiles. */
function regExpSource(what: string) {
  return z.string().min(1, `enter ${what}`).superRefine((value, ctx) => {
    try {
      new RegExp(value);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression (${detail})` });
    }
  });
}

/** Each kind of generic portal key, validated by the adapter's own schemas (one set of limits: ADAPTER_LIMITS). */
const GENERIC_SCHEMAS = {
  selector: selectorSchema,
  attribute: attributeSchema,
  capture: patternSchema(true),
  test: patternSchema(false),
  scopeMap: scopeMapSchema,
} satisfies Record<GenericKeyKind, z.ZodType>;

/** `portal.generic`: every key of lib/portals/generic.ts, optional. */
function genericShape() {
  const entries = Object.entries(GENERIC_KEYS).map(([key, kind]) => [key, GENERIC_SCHEMAS[kind].optional()]);
  return Object.fromEntries(entries) as { [K in GenericKey]: z.ZodOptional<(typeof GENERIC_SCHEMAS)[(typeof GENERIC_KEYS)[K]]> };
}

const code = () => z.string().regex(DIGITS_STAR_HASH, 'use digits, * and # only (1 to 10)');

const wsUrl = z.string().trim().superRefine((value, ctx) => {
  const problem = wsUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const auditEndpoint = z.string().trim().superRefine((value, ctx) => {
  const problem = auditEndpointProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const portalOrigin = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = portalOriginProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform(normalizeOrigin);

const iceServer = z
  .object({
    urls: z.union([
      z.string().regex(ICE_URL, 'use stun:, stuns:, turn: or turns: addresses'),
      z.array(z.string().regex(ICE_URL, 'use stun:, stuns:, turn: or turns: addresses')).min(1, 'give at least one address'),
    ]),
    username: z.string().optional(),
    credential: z.string().optional(),
  })
  .strict();

const monitorScopes = z
  .array(z.enum(SCOPES))
  .min(1, 'choose at least one scope')
  .superRefine((scopes, ctx) => {
    if (scopes.includes('Basic User')) ctx.addIssue({ code: 'custom', message: 'Basic Users can never monitor calls: remove "Basic User"' });
    if (new Set(scopes).size !== scopes.length) ctx.addIssue({ code: 'custom', message: 'each scope only once' });
  });

export const CREDENTIAL_MODES = ['stored', 'prompt'] as const;
/** The portal adapters by id (lib/portals: the built-in ones and `generic`). */
export const PORTAL_ADAPTERS = PORTAL_ADAPTER_IDS;

export const settingsSchema = z
  .object({
    pbx: z
      .object({
        wsUrl: wsUrl.optional(),
        domain: z.string().trim().regex(HOST_NAME, 'use a host name like pbx.example.com (no scheme, no port)').optional(),
        username: z.string().trim().regex(NO_SPACE_USER, 'the extension or SIP user alone, without spaces or @domain').optional(),
        authorizationUsername: z.string().trim().regex(NO_SPACE_USER, 'the digest user alone, without spaces or @domain').optional(),
        password: z.string().min(1, 'cannot be empty').optional(),
        displayName: z.string().trim().max(64, 'at most 64 characters').optional(),
        /** stored: kept in the settings (policy or options page); prompt: each supervisor types them, kept for the browser session only. */
        credentials: z.enum(CREDENTIAL_MODES).default('stored'),
      })
      .strict()
      .prefault({}),
    profile: z
      .object({
        id: z.enum(PROFILE_IDS).default('asterisk-chanspy'),
        dialPrefix: code().optional(),
        modeCodes: z
          .object({ listen: code().optional(), whisper: code().optional(), barge: code().optional() })
          .strict()
          .prefault({}),
        dtmfMethod: z.enum(['rfc4733', 'info']).optional(),
        pin: z.string().regex(/^[0-9]{1,12}$/, '1 to 12 digits').optional(),
        tappingCode: code().optional(),
        switchBy: z.enum(['dtmf', 'redial']).optional(),
      })
      .strict()
      .prefault({}),
    portal: z
      .object({
        origin: portalOrigin.optional(),
        adapter: z.enum(PORTAL_ADAPTERS).default('earshot-lab'),
        generic: z.object(genericShape()).strict().prefault({}),
      })
      .strict()
      .prefault({}),
    iceServers: z.array(iceServer).max(10, 'at most 10 servers').default([]),
    onNetPattern: regExpSource('a pattern').default('[0-9]{2,6}'),
    rules: z
      .object({
        monitorScopes: monitorScopes.default(['Call Center Supervisor']),
        whisperWhenUnknown: z.enum(['allow', 'deny']).default('deny'),
        user: z
          .object({ scope: z.enum(SCOPES).optional(), dtmfMonitoringGranted: z.boolean().default(false) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** The organization's audit trail: each session event POSTed as JSON (lib/coordinator/audit-*.ts, docs/admin-guide.md). */
    audit: z
      .object({
        endpoint: auditEndpoint.optional(),
        token: z.string().trim().min(1, 'cannot be empty').max(4096, 'at most 4096 characters').regex(/^[\x21-\x7e]+$/, 'printable characters without spaces').optional(),
        queueLimit: z.number().int('a whole number').min(100, 'at least 100 events').max(100000, 'at most 100000 events').default(5000),
      })
      .strict()
      .prefault({}),
    auditRetention: z.number().int('a whole number').min(10, 'at least 10 entries').max(10000, 'at most 10000 entries').default(500),
    /** The session record kept across browser restarts (lib/coordinator/session-history.ts). */
    history: z
      .object({
        enabled: z.boolean().default(true),
        days: z.number().int('a whole number').min(1, 'at least 1 day').max(3650, 'at most 3650 days').default(90),
      })
      .strict()
      .prefault({}),
    lockUserOverrides: z.boolean().default(false),
  })
  .strict();

/** The merged, validated settings every consumer reads. */
export type Settings = z.output<typeof settingsSchema>;
/** What a layer (policy, user options) may hold: any subset. */
export type SettingsInput = z.input<typeof settingsSchema>;

/** Every default, from the schema itself. */
export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

/** User-facing names, put in front of every message about a field. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  'pbx.wsUrl': 'PBX WebSocket URL',
  'pbx.domain': 'SIP domain',
  'pbx.username': 'Username (extension)',
  'pbx.authorizationUsername': 'Authorization username',
  'pbx.password': 'Password',
  'pbx.displayName': 'Display name',
  'pbx.credentials': 'How credentials are provided',
  'profile.id': 'PBX profile',
  'profile.dialPrefix': 'Dial prefix',
  'profile.modeCodes.listen': 'Listen Only code',
  'profile.modeCodes.whisper': 'Whisper code',
  'profile.modeCodes.barge': 'Join (Barge-In) code',
  'profile.dtmfMethod': 'DTMF method',
  'profile.pin': 'PIN',
  'profile.tappingCode': 'Tapping code',
  'profile.switchBy': 'Mode switching',
  'portal.origin': 'Portal address',
  'portal.adapter': 'Portal type',
  'portal.generic.rowSelector': 'Agent row selector',
  'portal.generic.extensionSelector': 'Extension selector',
  'portal.generic.extensionAttribute': 'Extension attribute',
  'portal.generic.extensionPattern': 'Extension pattern',
  'portal.generic.nameSelector': 'Name selector',
  'portal.generic.iconSlotSelector': 'Icon slot selector',
  'portal.generic.callSelector': 'Call state selector',
  'portal.generic.callAttribute': 'Call state attribute',
  'portal.generic.callPattern': 'Call state pattern',
  'portal.generic.onCallPattern': 'On-call pattern',
  'portal.generic.otherPartySelector': 'Other party selector',
  'portal.generic.otherPartyAttribute': 'Other party attribute',
  'portal.generic.otherPartyPattern': 'Other party pattern',
  'portal.generic.rowMonitorRightSelector': 'Per-agent monitor right selector',
  'portal.generic.userExtensionSelector': 'Signed-in user extension selector',
  'portal.generic.userExtensionAttribute': 'Signed-in user extension attribute',
  'portal.generic.userExtensionPattern': 'Signed-in user extension pattern',
  'portal.generic.userScopeSelector': 'Signed-in user role selector',
  'portal.generic.userScopeAttribute': 'Signed-in user role attribute',
  'portal.generic.userScopePattern': 'Signed-in user role pattern',
  'portal.generic.scopeMap': 'Portal roles to scopes',
  'portal.generic.monitorRightSelector': 'Monitor right selector',
  iceServers: 'ICE servers',
  onNetPattern: 'On-net pattern',
  'rules.monitorScopes': 'Scopes allowed to monitor',
  'rules.whisperWhenUnknown': 'Whisper when the other party is unknown',
  'rules.user.scope': 'Your scope',
  'rules.user.dtmfMonitoringGranted': 'DTMF monitoring granted to you',
  'audit.endpoint': 'Audit trail endpoint',
  'audit.token': 'Audit trail token',
  'audit.queueLimit': 'Audit events kept while undelivered',
  auditRetention: 'Session log entries kept',
  'history.enabled': 'Keep the session record across browser restarts',
  'history.days': 'Days the session record is kept',
  lockUserOverrides: 'Lock settings for users',
};

/** The field's label, or its path when it has none. */
export function fieldLabel(path: string): string {
  return FIELD_LABELS[path] ?? path;
}

/** Fields only policy may set (the user's copy is ignored and reported). */
export const MANAGED_ONLY_FIELDS: ReadonlySet<string> = new Set(['lockUserOverrides']);

/**
 * Each supervisor's own sign-in. With `pbx.credentials: 'prompt'` the user
 * may set them even when policy locks everything else.
 */
export const CREDENTIAL_FIELDS: ReadonlySet<string> = new Set([
  'pbx.username',
  'pbx.authorizationUsername',
  'pbx.password',
  'pbx.displayName',
]);

/**
 * Settings that are secrets: Earshot never writes them to `storage.local`,
 * which content scripts can read. From the options page they live in the
 * extension's own IndexedDB (lib/platform/secret-vault.ts), except a password
 * typed in 'prompt' credentials mode (`storage.session` only); from policy,
 * only the policy holds them (and the vault their last valid values).
 * `iceServers` is one leaf: the TURN `credential`s in it make the whole list
 * secret.
 */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['pbx.password', 'profile.pin', 'iceServers', 'audit.token']);
