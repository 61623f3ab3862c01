import type { Lab } from '../../../lab/index';
import type { DialectId } from '../../../lab/pbx/dialects';
import { labSettings } from './lab-client';

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
  { dialect: 'freeswitch-eavesdrop', profile: { id: 'freeswitch-eavesdrop', dtmfMethod: 'info', pin: '4321' }, pin: '4321', user: { extension: '2001', name: 'Sam Supervisor' }, customer: '5550181' },
  { dialect: 'asterisk-per-mode', profile: { id: 'asterisk-per-mode' }, user: { extension: '2001', name: 'Sam Supervisor' }, customer: '5550182' },
  { dialect: 'netsapiens-tapping', profile: { id: 'netsapiens-tapping' }, user: { extension: '3001', name: 'Olivia Office-Manager' }, customer: '5550183' },
];

/** Earshot's settings for a case: the lab, the case's user and profile. */
export function dialectSettings(lab: Pick<Lab, 'wsUrl' | 'httpUrl'>, c: DialectCase) {
  const settings = labSettings(lab, c.profile.dtmfMethod ?? 'info');
  const who = c.user.extension;
  return { ...settings, pbx: { ...settings.pbx, username: who, password: `lab-${who}`, displayName: c.user.name }, profile: c.profile };
}
