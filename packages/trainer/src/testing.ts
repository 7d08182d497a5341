// Test helpers of the trainer, for its own tests and its callers' (not on the main entry point).
export * from './testing/fixtures.js';
export { tempDirs } from './testing/temp-dirs.js';
