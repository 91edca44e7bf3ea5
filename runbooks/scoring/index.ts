export * from './acknowledged-write';
export * from './expected-classes';
export * from './recovery-times';
export * from './reported-orders';
export * from './score-input';
export * from './score-run';
