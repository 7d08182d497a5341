import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyQuick, QUICK_EPOCHS } from '@wslbench/bench-synthetic';
import { RunConfig, resultPath, writeJsonAtomic } from '@wslbench/core';
import { DEFAULT_RESULTS_DIR, REPO_ROOT } from '@wslbench/data';
import { fixtureRecord } from '@wslbench/report/testing';
import { Command } from 'commander';
import { registerBenchCommand } from './bench.js';
import { registerReportCommand } from './report.js';
import { runConfigFromFlags } from './train.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wsl-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const program = (register: (p: Command) => void) => {
  const p = new Command().exitOverride();
  register(p);
  return p;
};

describe('report', () => {
  test('a results folder without records is an error, not an empty report', async () => {
    const missing = join(dir, 'nothere');
    await expect(
      program(registerReportCommand).parseAsync(['node', 'wslbench', 'report', '--results', missing, '--quiet']),
    ).rejects.toThrow(`${missing}: no result records (no runs/ folder); nothing to report`);
    expect(existsSync(join(missing, 'report'))).toBe(false);
  });

  test('the report goes beside --results by default', async () => {
    const results = join(dir, 'results');
    const r = fixtureRecord('synth-glas', 'cam', 'vgg16:w0.125', 0, 0.5, 0.8);
    writeJsonAtomic(join(results, resultPath(r)), { ...r, test: { ...r.test, pxap: 50, clAccuracy: 80 } });
    const out = process.stdout.write;
    process.stdout.write = () => true;
    try {
      await program(registerReportCommand).parseAsync(['node', 'wslbench', 'report', '--results', results, '--quiet']);
    } finally {
      process.stdout.write = out;
    }
    expect(existsSync(join(results, 'report', 'index.html'))).toBe(true);
  });
});

describe('bench --help', () => {
  test('states the epochs --quick really runs', () => {
    const help = program(registerBenchCommand).commands[0]!.helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain(`one backbone, ${QUICK_EPOCHS} epoch(s)`);
    const cell = {
      name: 'c',
      config: RunConfig.parse({ method: 'cam', backbone: 'resnet50:w0.125', dataset: 'synth-glas', epochs: 4 }),
    };
    expect(applyQuick([cell], 'r')[0]!.config.epochs).toBe(QUICK_EPOCHS);
  });
});

describe('train', () => {
  test("without --results a run writes to the repository's results folder, wherever it is started", () => {
    expect(DEFAULT_RESULTS_DIR).toBe(join(REPO_ROOT, 'results'));
    const c = runConfigFromFlags({
      hp: [],
      method: 'cam',
      backbone: 'vgg16',
      dataset: 'glas',
      pretrainedCheckpoint: 'best_localization',
    });
    expect(c.resultsDir).toBe(DEFAULT_RESULTS_DIR);
  });
});
