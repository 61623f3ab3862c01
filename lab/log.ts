/** One entry of the lab's event log (control API `GET /api/events`). */
export interface LabEvent {
  seq: number;
  at: number;
  kind: string;
  text: string;
  data?: Record<string, unknown>;
}

/** The readable log: one line per event on stdout (unless quiet), and a bounded buffer for the control API. */
export class EventLog {
  private readonly events: LabEvent[] = [];
  private seq = 0;

  constructor(
    private readonly quiet = false,
    private readonly limit = 5000,
  ) {}

  add(kind: string, text: string, data?: Record<string, unknown>): LabEvent {
    const event: LabEvent = { seq: ++this.seq, at: Date.now(), kind, text, ...(data ? { data } : {}) };
    this.events.push(event);
    if (this.events.length > this.limit) this.events.splice(0, this.events.length - this.limit);
    if (!this.quiet) console.log(`[lab] ${new Date(event.at).toISOString().slice(11, 23)} ${kind.padEnd(12)} ${text}`);
    return event;
  }

  since(seq: number): LabEvent[] {
    return this.events.filter((e) => e.seq > seq);
  }
}
