import type { Scope } from '../lib/monitor/modes';

/** A user of the lab's PBX. Password for every seeded user: `lab-<extension>`. */
export interface LabUser {
  extension: string;
  name: string;
  scope: Scope;
  /** Per-user grant for DTMF monitoring (tapping code), besides Office Managers. */
  dtmfMonitoringGranted: boolean;
  password: string;
}

const user = (extension: string, name: string, scope: Scope, dtmfMonitoringGranted = false): LabUser => ({
  extension,
  name,
  scope,
  dtmfMonitoringGranted,
  password: `lab-${extension}`,
});

/** The seeded call center: 8 agents, 2 supervisors, an office manager, a granted agent, a basic user. */
export const SEEDED_USERS: readonly LabUser[] = [
  user('1001', 'Alice Agent', 'Call Center Agent'),
  user('1002', 'Ben Agent', 'Call Center Agent'),
  user('1003', 'Cara Agent', 'Call Center Agent'),
  user('1004', 'Dev Agent', 'Call Center Agent'),
  user('1005', 'Eve Agent', 'Call Center Agent'),
  user('1006', 'Frank Agent', 'Call Center Agent'),
  user('1007', 'Gina Agent', 'Call Center Agent'),
  user('1008', 'Hank Agent', 'Call Center Agent'),
  user('2001', 'Sam Supervisor', 'Call Center Supervisor'),
  user('2002', 'Sofia Supervisor', 'Call Center Supervisor'),
  user('3001', 'Olivia Office-Manager', 'Office Manager'),
  user('3002', 'Grace Granted', 'Call Center Agent', true),
  user('4001', 'Bob Basic', 'Basic User'),
];

/** Calls running when the lab starts: five agents with customers (off-net), one internal call (on-net ↔ on-net). */
export const SEEDED_CALLS: readonly { agent: string; customer?: string; otherAgent?: string }[] = [
  { agent: '1001', customer: '5550101' },
  { agent: '1002', customer: '5550102' },
  { agent: '1003', customer: '5550103' },
  { agent: '1004', customer: '5550104' },
  { agent: '1005', customer: '5550105' },
  { agent: '1006', otherAgent: '1007' },
];

/**
 * Each simulated party's tone, chosen apart from each other and from the
 * DTMF frequencies (697–1633 Hz) and their neighbourhoods: agents 300–370 Hz
 * and 1800–1870 Hz would collide with nothing, customers 2000+ Hz.
 */
export function toneOf(partyId: string): number {
  const [kind, id = ''] = partyId.split(':');
  const n = Number(id.slice(-2)) || 0;
  if (kind === 'agent') return 300 + 20 * n; // 1001 → 320 Hz … 1008 → 460 Hz
  return 2000 + 60 * (n % 20); // customers 5550101 → 2060 Hz …
}
