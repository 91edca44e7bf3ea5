export * from './gameday-experiments';
export * from './gameday-stack';
export * from './resilience-hub-app';
export * from './shopper-code';
export * from './synthetic-shopper-fleet';
