export * from './key-spec';
export * from './custodians';
export * from './key-audit-sink';
export * from './key-ring';
export * from './customer-managed-key';
export * from './managed-key';
export * from './byok-import';
export * from './hyok-external-store';
