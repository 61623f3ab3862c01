export { MonitorCore, type MonitorCoreProps, type MonitorTools } from './monitor-core';
export { MonitorPanel, type MonitorPanelProps } from './monitor-panel';
export { downloadText } from './download';
export { OutputControls, type AudioOutputControls } from './output-controls';
