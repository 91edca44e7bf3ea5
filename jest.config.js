/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
    '/node_modules/@actions/(workflow-parser|expressions)/.+\\.js$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // @actions/workflow-parser and @actions/expressions (test/pipeline/workflow-sim) ship only ES modules, import
  // JSON without an import attribute and export only the "import" condition: they are mapped to their files and
  // compiled to CommonJS like the tests.
  moduleNameMapper: {
    '^@actions/(workflow-parser|expressions)$': '<rootDir>/node_modules/@actions/$1/dist/index.js',
    '^@actions/(workflow-parser|expressions)/(.*)$': '<rootDir>/node_modules/@actions/$1/dist/$2.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!@actions/(workflow-parser|expressions)/)'],
  testTimeout: 60_000,
  // Every test's temp files go to one folder per run, removed at the end (test/support/temp-sandbox.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
