export * from './arc-routing-controls';
export * from './failover-records';
export * from './region-switch-plan';
export * from './routing-stack';
