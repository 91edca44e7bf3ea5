export * from './address';
export * from './amounts';
export * from './limits';
export * from './order-lines';
export * from './text';
