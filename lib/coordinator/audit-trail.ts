import type { EngineCommand } from '../contract/engine';
import type { EarshotState, AuditStatus } from '../state/snapshot';
import type { AuditConfig } from '../settings/source';
import { AuditRecorder } from './audit-events';
import { AuditQueue, type AuditQueueOptions } from './audit-queue';

/**
 * The audit trail: the recorder (snapshots → events) and the queue (events →
 * the endpoint), fed by the background. Nothing here waits on the network in
 * the coordinator's path: {@link AuditTrail.observe} only queues.
 */
export interface AuditTrailOptions extends Omit<AuditQueueOptions, 'limit' | 'onStatus'> {
  newId: () => string;
  /** The status for the UIs (undefined while no endpoint is set and nothing waits). */
  onStatus: (status: AuditStatus | undefined) => void;
}

export class AuditTrail {
  private readonly recorder: AuditRecorder;
  private readonly queue: AuditQueue;
  private config: AuditConfig | undefined;
  private ready = false;
  /** Snapshots seen before the saved queue and memory were read, applied after in order. */
  private backlog: Pick<EarshotState, 'session' | 'user' | 'agents'>[] = [];

  constructor(private readonly options: AuditTrailOptions) {
    this.recorder = new AuditRecorder({ newId: options.newId, ...(options.now ? { now: options.now } : {}) });
    this.queue = new AuditQueue({ ...options, limit: 5000, onStatus: (status) => this.publish(status) });
    this.queue.setEnabled(false);
  }

  /** Reads the saved queue and memory, then sends what waits. */
  async start(): Promise<void> {
    const memory = await this.queue.start();
    this.recorder.load(memory);
    this.ready = true;
    for (const state of this.backlog.splice(0)) this.observe(state);
  }

  /** The settings' audit part (undefined: no endpoint, nothing new is recorded; what waits is kept). */
  configure(config: AuditConfig | undefined): void {
    this.config = config;
    this.queue.setEnabled(config !== undefined, config?.queueLimit);
  }

  /** A new snapshot from the coordinator. */
  observe(state: Pick<EarshotState, 'session' | 'user' | 'agents'>): void {
    if (!this.ready) {
      this.backlog.push({ session: state.session, user: state.user, agents: state.agents });
      return;
    }
    if (!this.config) return;
    const events = this.recorder.observe(state);
    if (events.length > 0) void this.queue.enqueue(events, this.recorder.remembered());
  }

  /** An allowed command on its way to the engine. */
  commandSent(command: EngineCommand, session: EarshotState['session']): void {
    if (command.type === 'hangup') this.recorder.hangupAsked(session?.id);
  }

  /** Try now (online, start-up, the wake alarm). */
  kick(): void {
    this.queue.kick();
  }

  status(): AuditStatus {
    return this.queue.status();
  }

  settled(): Promise<void> {
    return this.queue.settled();
  }

  dispose(): void {
    this.queue.dispose();
  }

  private publish(status: AuditStatus): void {
    const nothing = status.pending === 0 && status.dropped === 0 && status.rejected === 0;
    this.options.onStatus(this.config || !nothing ? status : undefined);
  }
}
