export * from './gameday-ledger';
export * from './gameday-phases';
export * from './gameday-ports';
export * from './gameday-record';
export * from './run-gameday-phase';
