export { MonitorCore, type MonitorCoreProps, type MonitorTools } from './monitor-core';
export { MonitorPanel, type MonitorPanelProps } from './monitor-panel';
export { MONITOR_PANEL_CSS } from './monitor-panel-css';
export { downloadText } from './download';
