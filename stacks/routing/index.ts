export * from './arc-routing-controls';
export * from './failover-records';
export * from './region-switch-plan';
export * from './region-switch-plan-parameter';
export * from './routing-stack';
