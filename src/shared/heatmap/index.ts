/** Heatmap rendering shared by the panel (webview), the extension host and the CLI. Pure TypeScript. */
export * from './colormaps';
export * from './grid';
export * from './pixels';
export * from './difference';
