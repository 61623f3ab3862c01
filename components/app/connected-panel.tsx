import { useEffect, useState } from 'preact/hooks';
import type { SendCommand } from '../../lib/messaging/commands';
import { createStateClient, type PortLike } from '../../lib/messaging/state-port';
import { STATE_PORT_NAME } from '../../lib/messaging/protocol';
import type { EarshotState } from '../../lib/state/snapshot';
import { MonitorPanel } from '../monitor';
import type { AudioOutputControls } from '../monitor/output-controls';
import type { BoundShortcut } from '../../lib/monitor/shortcuts';

export interface ConnectedPanelProps {
  /** Opens the state port to the background (injected: tests pass a fake port). */
  connect: (name: string) => PortLike;
  send: SendCommand;
  onAllowMicrophone?: () => void;
  output?: AudioOutputControls;
  shortcuts?: () => Promise<BoundShortcut[]>;
}

/**
 * The monitor panel bound to the background: renders every snapshot the
 * state port delivers, shows when the connection is lost, and reconnects.
 */
export function ConnectedPanel({ connect, send, onAllowMicrophone, output, shortcuts }: ConnectedPanelProps) {
  const [state, setState] = useState<EarshotState | undefined>(undefined);
  const [connected, setConnected] = useState(true);
  useEffect(() => {
    const client = createStateClient({ connect: () => connect(STATE_PORT_NAME), onState: setState, onConnection: setConnected });
    return () => client.close();
  }, [connect]);
  return <MonitorPanel state={state} send={send} connected={connected} onAllowMicrophone={onAllowMicrophone} output={output} shortcuts={shortcuts} />;
}
