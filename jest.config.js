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
  // Two workers on the 2-core machines npm test and CI run on (jest's default there is one: cores minus one). Most
  // suites wait on real Postgres, child processes and HTTP rather than compute: measured 2026-12-07 on a quiet 2-core
  // machine, 154 suites take 475 s with one worker and 307 s with two (BENCHMARKS.md, "npm test").
  maxWorkers: 2,
  // Every test's temp files go to one folder per run, removed at the end (test/support/temp-sandbox.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
