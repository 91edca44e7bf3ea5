export * from './region-switch-recover-start';
export * from './runbook-code';
export * from './runbook-permissions';
export * from './runbook-reports-bucket';
export * from './runbook-stack';
export * from './snapshot-preservation';
export * from './synthetic-orders-removal';
export * from './wildcard-acknowledgements';
