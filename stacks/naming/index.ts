export * from './alarm-names';
export * from './canary-names';
export * from './database-names';
export * from './resource-prefix';
export * from './routing-names';
export * from './runbook-names';
export * from './stack-names';
export * from './table-names';
