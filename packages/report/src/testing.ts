// Test helpers (the `@wslbench/report/testing` entry point): a results folder of fixture records and maps.
export { fixtureRecord, writeFixtureResults } from './testing/fixtures.js';
