export * from './evidence-files';
export * from './evidence-html';
export * from './evidence-pack';
