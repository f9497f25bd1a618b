// The E2EE library of the web SDK. The worker entry (worker.ts) is loaded
// as its own module worker and is not re-exported here.
export * from './bytes';
export * from './sframe';
export * from './sframe-crypto';
export * from './frame-layout';
export * from './h264';
export * from './frame-cryptor';
export * from './sender-key';
export * from './receiver-keys';
export * from './ratchet';
export * from './key-manager';
export * from './membership';
export * from './identity';
export * from './trust';
export * from './idb-stores';
export * from './key-wrap';
export * from './safety-number';
export * from './data-crypto';
export * from './worker-protocol';
export * from './worker-core';
