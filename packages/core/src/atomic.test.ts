import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonFile, writeJsonAtomic } from './atomic.js';

describe('JSON files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wsl-json-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writeJsonAtomic creates folders, leaves no temp file, and readJsonFile reads it back', () => {
    const file = join(dir, 'a', 'b.json');
    writeJsonAtomic(file, { x: [1, 2], y: 'z' });
    expect(readJsonFile(file)).toEqual({ x: [1, 2], y: 'z' });
    expect(readdirSync(join(dir, 'a'))).toEqual(['b.json']);
  });

  test('a file that is not JSON is named in the error; a missing file is an error too', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"x": 1,');
    expect(() => readJsonFile(file)).toThrow(`${file}: not valid JSON (`);
    expect(existsSync(join(dir, 'none.json'))).toBe(false);
    expect(() => readJsonFile(join(dir, 'none.json'))).toThrow(/ENOENT/);
  });
});
