import type { Lab } from '../../../lab/index';
import type { DialectId } from '../../../lab/pbx/dialects';
import { labApi, labEvents, labSettings, lastEventSeq, until } from './lab-client';

/** One lab dialect with the Earshot profile that speaks it and who uses it. */
export interface DialectCase {
  dialect: DialectId;
  profile: { id: string; dtmfMethod?: 'info' | 'rfc4733'; pin?: string };
  /** The lab's PIN for the monitor feature, if any. */
  pin?: string;
  /** Who signs in (to the PBX and the portal). */
  user: { extension: string; name: string };
  /** A fresh customer for the call on 1008 (each case its own tone). */
  customer: string;
}

/** The dialects besides ChanSpy (whose story is monitor-chromium / monitor-firefox). */
export const DIALECT_CASES: DialectCase[] = [
  { dialect: 'freeswitch-eavesdrop', profile: { id: 'freeswitch-eavesdrop', dtmfMethod: 'rfc4733', pin: '4321' }, pin: '4321', user: { extension: '2001', name: 'Sam Supervisor' }, customer: '5550181' },
  { dialect: 'asterisk-per-mode', profile: { id: 'asterisk-per-mode' }, user: { extension: '2001', name: 'Sam Supervisor' }, customer: '5550182' },
  { dialect: 'netsapiens-tapping', profile: { id: 'netsapiens-tapping' }, user: { extension: '3001', name: 'Olivia Office-Manager' }, customer: '5550183' },
];

/** Earshot's settings for a case: the lab, the case's user and profile. */
export function dialectSettings(lab: Pick<Lab, 'wsUrl' | 'httpUrl'>, c: DialectCase) {
  const settings = labSettings(lab, c.profile.dtmfMethod ?? 'info');
  const who = c.user.extension;
  return { ...settings, pbx: { ...settings.pbx, username: who, password: `lab-${who}`, displayName: c.user.name }, profile: c.profile };
}

/**
 * Puts the lab in the case's dialect and returns the event seq from which
 * this case's events count (an earlier case may have watched 1008 as the
 * same user). The PBX names the other party in every NOTIFY here: Whisper's
 * on-net/off-net check does not hang on catching the early one (that path is
 * monitor-chromium's).
 */
export async function switchLabTo(lab: Pick<Lab, 'httpUrl'>, c: DialectCase): Promise<number> {
  const since = await lastEventSeq(lab);
  await labApi(lab, 'POST', '/api/config', { dialect: c.dialect, pin: c.pin ?? null, remoteIdentity: 'always' });
  return since;
}

/** Resolves once the case's user is registered at the lab. */
export async function untilRegistered(lab: Pick<Lab, 'httpUrl'>, c: DialectCase): Promise<void> {
  const who = c.user.extension;
  await until(async () => (await labApi<{ extension: string }[]>(lab, 'GET', '/api/registrations')).some((r) => r.extension === who), 20_000, `${who} registered`);
}

/** Resolves once the case's user subscribed to `extension` at the lab after `since`. */
export async function untilWatching(lab: Pick<Lab, 'httpUrl'>, c: DialectCase, extension: string, since: number): Promise<void> {
  const text = `${c.user.extension} watches ${extension}`;
  await until(async () => (await labEvents(lab, since)).some((e) => e.text === text), 15_000, `watching ${extension}`);
}
