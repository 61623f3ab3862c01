import { SCOPES } from '../../lib/monitor/modes';
import { BUILT_IN_PROFILES } from '../../lib/pbx/profiles';
import type { PortalPermissions } from '../../lib/settings/origin';
import { normalizeOrigin, portalOriginProblem } from '../../lib/settings/origin';
import type { ProfileId } from '../../lib/contract/engine';
import { CheckboxField, ChoiceListField, SelectField, TextField } from './fields';
import type { FormApi } from './form-model';
import { IceServersField } from './ice-servers';
import { PortalPermission } from './permission';

interface SectionProps {
  form: FormApi;
}

export function PbxSection({ form }: SectionProps) {
  return (
    <fieldset class="group">
      <legend>PBX</legend>
      <TextField form={form} path="pbx.wsUrl" type="url" placeholder="wss://pbx.example.com:8089/ws" hint="The PBX's SIP over WebSocket address." />
      <TextField form={form} path="pbx.domain" placeholder="pbx.example.com" />
      <TextField form={form} path="pbx.username" autoComplete="username" placeholder="2001" />
      <TextField form={form} path="pbx.authorizationUsername" hint="Only when the PBX asks a different user for the password." />
      <TextField form={form} path="pbx.password" type="password" autoComplete="current-password" />
      <TextField form={form} path="pbx.displayName" />
      <SelectField
        form={form}
        path="pbx.credentials"
        options={[
          ['stored', 'Stored with these settings'],
          ['prompt', 'Typed by each supervisor, kept until the browser closes'],
        ]}
      />
    </fieldset>
  );
}

const PROFILE_OPTIONS = [
  ...Object.values(BUILT_IN_PROFILES).map((profile) => [profile.id, profile.label] as const),
  ['custom', 'Custom (give the dial prefix and the three codes)'] as const,
];

export function ProfileSection({ form }: SectionProps) {
  const id = form.value('profile.id') as ProfileId;
  const builtIn = id === 'custom' ? undefined : BUILT_IN_PROFILES[id];
  return (
    <fieldset class="group">
      <legend>PBX profile</legend>
      <SelectField form={form} path="profile.id" options={PROFILE_OPTIONS} hint="How the PBX's monitor feature is reached. The fields below override the profile; leave them empty to keep its values." />
      <TextField form={form} path="profile.dialPrefix" placeholder={builtIn?.dialPrefix} />
      <TextField form={form} path="profile.modeCodes.listen" placeholder={builtIn?.modeCodes.listen} />
      <TextField form={form} path="profile.modeCodes.whisper" placeholder={builtIn?.modeCodes.whisper} />
      <TextField form={form} path="profile.modeCodes.barge" placeholder={builtIn?.modeCodes.barge} />
      <SelectField form={form} path="profile.dtmfMethod" emptyLabel="The profile's" options={[['rfc4733', 'RFC 4733 (in the audio stream)'], ['info', 'SIP INFO']]} />
      <TextField form={form} path="profile.pin" type="password" inputMode="numeric" hint="Sent after the monitor call is answered (FusionPBX)." />
      <TextField form={form} path="profile.tappingCode" hint="DTMF monitoring by tapping code; replaces the dial prefix." />
      <SelectField form={form} path="profile.switchBy" emptyLabel="The profile's" options={[['dtmf', 'DTMF on one call'], ['redial', 'Dial again with the mode code']]} />
    </fieldset>
  );
}

const GENERIC_FIELDS = [
  ['rowSelector', 'One element per agent. Required.'],
  ['extensionSelector', "Inside a row: the agent's extension. Required."],
  ['extensionPattern', 'Regular expression whose first group is the extension in that text (e.g. ^Ext\\. (\\d+)$).'],
  ['nameSelector', "Inside a row: the agent's name. Required."],
  ['iconSlotSelector', 'Inside a row: where the speaker icon goes.'],
  ['callSelector', "Inside a row: the agent's call state."],
  ['onCallPattern', 'Regular expression: call state text meaning "on a call".'],
  ['userScopeSelector', "The signed-in user's scope."],
  ['userExtensionSelector', "The signed-in user's extension."],
] as const;

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
      <legend>Portal</legend>
      <TextField form={form} path="portal.origin" type="url" placeholder="https://portal.example.com" hint="The PBX web portal where agents are listed. Only its address counts (scheme, host and port)." />
      <PortalPermission origin={permissionOrigin(form, savedOrigin)} permissions={permissions} />
      <SelectField form={form} path="portal.adapter" options={[['earshot-lab', 'Earshot lab / demo portal'], ['generic', 'Other portal (CSS selectors)']]} />
      {generic && (
        <fieldset class="group nested">
          <legend>Portal selectors</legend>
          {GENERIC_FIELDS.map(([key, hint]) => (
            <TextField key={key} form={form} path={`portal.generic.${key}`} hint={hint} />
          ))}
        </fieldset>
      )}
    </fieldset>
  );
}

export function AudioSection({ form }: SectionProps) {
  return (
    <fieldset class="group">
      <legend>Audio and ICE</legend>
      <IceServersField form={form} />
    </fieldset>
  );
}

export function RulesSection({ form }: SectionProps) {
  return (
    <fieldset class="group">
      <legend>Rules</legend>
      <ChoiceListField form={form} path="rules.monitorScopes" choices={SCOPES.filter((scope) => scope !== 'Basic User')} hint="Basic Users can never monitor calls." />
      <SelectField
        form={form}
        path="rules.whisperWhenUnknown"
        options={[['deny', 'Do not allow Whisper'], ['allow', 'Allow Whisper']]}
        hint="Whisper is only for calls with an outside party; this is what to do when Earshot could not tell."
      />
      <TextField form={form} path="onNetPattern" hint="Regular expression for internal extensions, e.g. [0-9]{2,6}." />
      <SelectField form={form} path="rules.user.scope" emptyLabel="Not known (the PBX decides)" options={SCOPES.map((scope) => [scope, scope] as const)} hint="Who you are when the portal does not say." />
      <CheckboxField form={form} path="rules.user.dtmfMonitoringGranted" />
      <TextField form={form} path="auditRetention" type="number" inputMode="numeric" hint="10 to 10000." />
      <CheckboxField form={form} path="lockUserOverrides" />
    </fieldset>
  );
}
