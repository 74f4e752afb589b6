export * from './managed-key';
export * from './customer-managed-key';
export * from './key-audit-sink';
