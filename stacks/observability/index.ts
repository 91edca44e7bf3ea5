export * from './journey-canary';
export * from './observability-stack';
export * from './shop-dashboard';
