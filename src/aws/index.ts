export * from './managed-key';
export * from './custodians';
export * from './customer-managed-key';
export * from './byok-import';
export * from './key-audit-sink';
export * from './cloudhsm-cluster';
export * from './hyok-external-store';
export * from './envelope-encryption-function';
