// Tests run on the TypeScript sources (no build needed): workspace imports map to each package's src.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/methods', '<rootDir>/benchmarks'],
  testMatch: ['**/src/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: {
    '^@wslbench/([a-z-]+)/testing$': '<rootDir>/packages/$1/src/testing.ts',
    '^@wslbench/method-(.*)$': '<rootDir>/methods/$1/src/index.ts',
    '^@wslbench/bench-(.*)$': '<rootDir>/benchmarks/$1/src/index.ts',
    '^@wslbench/(.*)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 120000,
  maxWorkers: 2,
};
