// A client of the lab's control API (lab/control/api.ts), shared by the lab's
// own tests, the end-to-end suites and the demo.
import type { Lab } from '../../index';
import type { LabEvent } from '../../log';

/** JSON over the lab's control API. */
export async function labApi<T = unknown>(lab: Pick<Lab, 'httpUrl'>, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${lab.httpUrl}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await res.json()) as T;
}

/** Energy per source in what `who` heard over the last window. */
export async function hearing(lab: Pick<Lab, 'httpUrl'>, who: string, windowMs = 400): Promise<Record<string, number>> {
  return (await labApi<{ sources: Record<string, number> }>(lab, 'GET', `/api/hearing/${who}?windowMs=${windowMs}`)).sources;
}

/** The supervisor's monitor session at the lab, if any. */
export async function sessionOf(lab: Pick<Lab, 'httpUrl'>, supervisor: string) {
  const sessions = await labApi<{ id: string; supervisor: string; agent: string; mode: string; legId: string }[]>(lab, 'GET', '/api/sessions');
  return sessions.find((s) => s.supervisor === supervisor);
}

/** Whether a source is heard (energy above the noise floor). */
export const audible = (sources: Record<string, number>, id: string) => (sources[id] ?? 0) > 0.01;

/** The lab's event log; with `since` (a seq), only what came after it. */
export async function labEvents(lab: Pick<Lab, 'httpUrl'>, since?: number): Promise<LabEvent[]> {
  return labApi<LabEvent[]>(lab, 'GET', since === undefined ? '/api/events' : `/api/events?since=${since}`);
}

/** The seq of the newest event: hand it to {@link labEvents} later to see only what followed. */
export async function lastEventSeq(lab: Pick<Lab, 'httpUrl'>): Promise<number> {
  return (await labEvents(lab)).at(-1)?.seq ?? 0;
}
