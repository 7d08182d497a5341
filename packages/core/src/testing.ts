// Test helpers for method and trainer tests (the `@wslbench/core/testing` entry point; not part of the main API).
export * from './testing/method-harness.js';
export * from './testing/tiny-backbone.js';
export * from './testing/toy-check.js';
