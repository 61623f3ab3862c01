import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '@/lib/monitor/errors';
import { canTransition, isLive, SESSION_STATUSES, SESSION_TRANSITIONS, transition, type SessionStatus } from '@/lib/monitor/session-machine';

const allowed: [SessionStatus, SessionStatus][] = [
  ['connecting', 'active'],
  ['connecting', 'ending'],
  ['connecting', 'failed'],
  ['active', 'reconnecting'],
  ['active', 'ending'],
  ['active', 'ended'],
  ['active', 'failed'],
  ['reconnecting', 'active'],
  ['reconnecting', 'ending'],
  ['reconnecting', 'ended'],
  ['reconnecting', 'failed'],
  ['ending', 'ended'],
  ['ending', 'failed'],
];
const key = (from: string, to: string) => `${from}→${to}`;
const allowedKeys = new Set(allowed.map(([from, to]) => key(from, to)));
const refused = SESSION_STATUSES.flatMap((from) =>
  SESSION_STATUSES.filter((to) => !allowedKeys.has(key(from, to))).map((to) => [from, to] as [SessionStatus, SessionStatus]),
);

describe('session state machine', () => {
  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(transition(from, to)).toBe(to);
  });

  it.each(refused)('refuses %s → %s with a typed error', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => transition(from, to)).toThrow(InvalidTransitionError);
    expect(() => transition(from, to)).toThrow(`A monitor session cannot go from "${from}" to "${to}".`);
  });

  it('has exactly the table above (no transition added silently)', () => {
    const table = Object.entries(SESSION_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => key(from, to)));
    expect(new Set(table)).toEqual(allowedKeys);
  });

  it('ended and failed are final', () => {
    expect(SESSION_TRANSITIONS.ended).toEqual([]);
    expect(SESSION_TRANSITIONS.failed).toEqual([]);
  });

  it.each([
    ['connecting', true],
    ['active', true],
    ['reconnecting', true],
    ['ending', true],
    ['ended', false],
    ['failed', false],
  ] as const)('isLive(%s) = %s', (status, live) => {
    expect(isLive(status)).toBe(live);
  });
});
