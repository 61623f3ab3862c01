import { SCOPES } from '../../lib/monitor/modes';
import { BUILT_IN_PROFILES } from '../../lib/pbx/profiles';
import type { PortalPermissions } from '../../lib/settings/origin';
import { normalizeOrigin, portalOriginProblem } from '../../lib/settings/origin';
import type { ProfileId } from '../../lib/contract/engine';
import type { GenericKey } from '../../lib/portals/generic';
import { CheckboxField, ChoiceListField, SelectField, TextField } from './fields';
import type { FormApi } from './form-model';
import { t, type MessageKey } from '../i18n';
import { IceServersField } from './ice-servers';
import { PortalPermission } from './permission';
import type { PortalAdapterId } from '../../lib/portals/index';

interface SectionProps {
  form: FormApi;
}

export function PbxSection({ form }: SectionProps) {
  return (
    <fieldset class="group">
      <legend>{t('sectionPbx')}</legend>
      <TextField form={form} path="pbx.wsUrl" type="url" placeholder="wss://pbx.example.com:8089/ws" hint={t('hintWsUrl')} />
      <TextField form={form} path="pbx.domain" placeholder="pbx.example.com" />
      <TextField form={form} path="pbx.username" autoComplete="username" placeholder="2001" />
      <TextField form={form} path="pbx.authorizationUsername" hint={t('hintAuthorizationUsername')} />
      <TextField form={form} path="pbx.password" type="password" autoComplete="current-password" />
      <TextField form={form} path="pbx.displayName" />
      <SelectField
        form={form}
        path="pbx.credentials"
        options={[
          ['stored', t('credentialsStored')],
          ['prompt', t('credentialsPrompt')],
        ]}
      />
    </fieldset>
  );
}

// Built when rendered: t() reads the browser's messages (and a test's source) at that time.
const profileOptions = () => [
  ...Object.values(BUILT_IN_PROFILES).map((profile) => [profile.id, profile.label] as const),
  ['custom', t('profileCustom')] as const,
];

export function ProfileSection({ form }: SectionProps) {
  const id = form.value('profile.id') as ProfileId;
  const builtIn = id === 'custom' ? undefined : BUILT_IN_PROFILES[id];
  return (
    <fieldset class="group">
      <legend>{t('sectionProfile')}</legend>
      <SelectField form={form} path="profile.id" options={profileOptions()} hint={t('hintProfile')} />
      <TextField form={form} path="profile.dialPrefix" placeholder={builtIn?.dialPrefix} />
      <TextField form={form} path="profile.modeCodes.listen" placeholder={builtIn?.modeCodes.listen} />
      <TextField form={form} path="profile.modeCodes.whisper" placeholder={builtIn?.modeCodes.whisper} />
      <TextField form={form} path="profile.modeCodes.barge" placeholder={builtIn?.modeCodes.barge} />
      <SelectField form={form} path="profile.dtmfMethod" emptyLabel={t('profileDefault')} options={[['rfc4733', t('dtmfRfc4733')], ['info', t('dtmfInfo')]]} />
      <TextField form={form} path="profile.pin" type="password" inputMode="numeric" hint={t('hintPin')} />
      <TextField form={form} path="profile.tappingCode" hint={t('hintTappingCode')} />
      <SelectField form={form} path="profile.switchBy" emptyLabel={t('profileDefault')} options={[['dtmf', t('switchDtmf')], ['redial', t('switchRedial')]]} />
    </fieldset>
  );
}

/** Every text key of the generic adapter (lib/portals/generic.ts GENERIC_KEYS; the role map comes from policy only). */
const GENERIC_FIELDS = [
  ['rowSelector', 'hintRowSelector'],
  ['extensionSelector', 'hintExtensionSelector'],
  ['extensionAttribute', 'hintExtensionAttribute'],
  ['extensionPattern', 'hintExtensionPattern'],
  ['nameSelector', 'hintNameSelector'],
  ['iconSlotSelector', 'hintIconSlotSelector'],
  ['callSelector', 'hintCallSelector'],
  ['callAttribute', 'hintCallAttribute'],
  ['callPattern', 'hintCallPattern'],
  ['onCallPattern', 'hintOnCallPattern'],
  ['otherPartySelector', 'hintOtherPartySelector'],
  ['otherPartyAttribute', 'hintOtherPartyAttribute'],
  ['otherPartyPattern', 'hintOtherPartyPattern'],
  ['rowMonitorRightSelector', 'hintRowMonitorRightSelector'],
  ['userExtensionSelector', 'hintUserExtensionSelector'],
  ['userExtensionAttribute', 'hintUserExtensionAttribute'],
  ['userExtensionPattern', 'hintUserExtensionPattern'],
  ['userScopeSelector', 'hintUserScopeSelector'],
  ['userScopeAttribute', 'hintUserScopeAttribute'],
  ['userScopePattern', 'hintUserScopePattern'],
  ['monitorRightSelector', 'hintMonitorRightSelector'],
] as const satisfies readonly (readonly [Exclude<GenericKey, 'scopeMap'>, MessageKey])[];

/** The portal select: every adapter id the settings accept (PORTAL_ADAPTER_IDS), each by the portal and page it fits. */
const ADAPTER_OPTIONS = [
  ['earshot-lab', 'adapterLab'],
  ['netsapiens-agents', 'adapterNetsapiensAgents'],
  ['fusionpbx-call-center', 'adapterFusionpbxCallCenter'],
  ['fusionpbx-active-calls', 'adapterFusionpbxActiveCalls'],
  ['generic', 'adapterGeneric'],
] as const satisfies readonly (readonly [PortalAdapterId, MessageKey])[];

/** The draft portal origin when it is valid, else the one in force: the permission is for what the user sees. */
function permissionOrigin(form: FormApi, saved: string | undefined): string | undefined {
  const typed = (form.value('portal.origin') as string).trim();
  if (typed && !portalOriginProblem(typed)) return normalizeOrigin(typed);
  return saved;
}

export function PortalSection({ form, permissions, savedOrigin }: SectionProps & { permissions: PortalPermissions; savedOrigin: string | undefined }) {
  const generic = form.value('portal.adapter') === 'generic';
  return (
    <fieldset class="group">
      <legend>{t('sectionPortal')}</legend>
      <TextField form={form} path="portal.origin" type="url" placeholder="https://portal.example.com" hint={t('hintPortalOrigin')} />
      <PortalPermission origin={permissionOrigin(form, savedOrigin)} permissions={permissions} />
      <SelectField form={form} path="portal.adapter" options={ADAPTER_OPTIONS.map(([id, label]) => [id, t(label)] as const)} />
      {generic && (
        <fieldset class="group nested">
          <legend>{t('sectionPortalSelectors')}</legend>
          {GENERIC_FIELDS.map(([key, hint]) => (
            <TextField key={key} form={form} path={`portal.generic.${key}`} hint={t(hint)} />
          ))}
        </fieldset>
      )}
    </fieldset>
  );
}

export function AudioSection({ form }: SectionProps) {
  return (
    <fieldset class="group">
      <legend>{t('sectionAudio')}</legend>
      <IceServersField form={form} />
    </fieldset>
  );
}

export function RulesSection({ form }: SectionProps) {
  return (
    <fieldset class="group">
      <legend>{t('sectionRules')}</legend>
      <ChoiceListField form={form} path="rules.monitorScopes" choices={SCOPES.filter((scope) => scope !== 'Basic User')} hint={t('hintMonitorScopes')} />
      <SelectField
        form={form}
        path="rules.whisperWhenUnknown"
        options={[['deny', t('whisperDeny')], ['allow', t('whisperAllow')]]}
        hint={t('hintWhisperWhenUnknown')}
      />
      <TextField form={form} path="onNetPattern" hint={t('hintOnNetPattern')} />
      <SelectField form={form} path="rules.user.scope" emptyLabel={t('scopeUnknown')} options={SCOPES.map((scope) => [scope, scope] as const)} hint={t('hintUserScope')} />
      <CheckboxField form={form} path="rules.user.dtmfMonitoringGranted" />
      <TextField form={form} path="auditRetention" type="number" inputMode="numeric" hint={t('hintAuditRetention')} />
      <CheckboxField form={form} path="history.enabled" hint={t('hintHistoryEnabled')} />
      <TextField form={form} path="history.days" type="number" inputMode="numeric" hint={t('hintHistoryDays')} />
      <CheckboxField form={form} path="lockUserOverrides" />
    </fieldset>
  );
}
