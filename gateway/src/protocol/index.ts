// Public entry of the gateway ⇄ control-plane protocol (DESIGN §6), imported by the control plane's hub and
// the gateway's sync client: the connection, the messages, the config frame, the API key and request-id formats.
export * from './connection.js';
export * from './messages.js';
export * from './config-frame.js';
export * from './api-key.js';
export * from './request-id.js';
