export * from './managed-key';
export * from './custodians';
export * from './customer-managed-key';
export * from './byok-import';
export * from './key-audit-sink';
