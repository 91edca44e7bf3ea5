export * from './load-config';
export * from './shop-config';
