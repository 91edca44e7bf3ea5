export * from './data-stack';
export * from './global-aurora-database';
