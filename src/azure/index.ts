export * from './key-spec';
export * from './custodians';
export * from './key-audit-sink';
export * from './key-vault';
export * from './customer-managed-key';
export * from './managed-key';
export * from './hyok-external-store';
export * from './byok-import';
