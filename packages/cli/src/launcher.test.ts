import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const LAUNCHER = join(ROOT, 'packages', 'cli', 'bin', 'wslbench.js');

describe('the wslbench launcher', () => {
  it('is the package bin, a committed file outside dist/ (npm links it before anything is built)', () => {
    const pj = JSON.parse(readFileSync(join(ROOT, 'packages', 'cli', 'package.json'), 'utf8'));
    expect(pj.bin).toEqual({ wslbench: './bin/wslbench.js' });
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    expect(lock.packages['packages/cli'].bin).toEqual({ wslbench: 'bin/wslbench.js' });
  });

  it('`npx wslbench --help` prints the usage with every command', () => {
    // npm test builds first, so dist/main.js exists here.
    const r = spawnSync('npx', ['--no-install', 'wslbench', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: wslbench/);
    for (const command of ['train', 'evaluate', 'bench', 'report', 'list', 'data', 'env', 'weights', 'new'])
      expect(r.stdout).toContain(`  ${command}`);
  });

  it('without a build, says what to run and exits non-zero', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wslbench-launcher-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(LAUNCHER, join(dir, 'bin', 'wslbench.js'));
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'wslbench.js'), '--help'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${join(dir, 'dist', 'main.js')} is missing); run \`npm run build\``);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
