import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GridFile } from './grid-file.js';
import { type Manifest, planManifest, writeManifest } from './manifest.js';
import { renderSbatch, sbatchArgs, sharedFilesystemWarning, submitSlurm, writeSlurmPlan } from './slurm.js';

const grid = GridFile.parse({
  base: { epochs: 1 },
  axes: { method: ['gap', 'cam', 'negev'], backbone: ['vgg16:w0.0625'], dataset: ['synth-glas'], seed: [0, 1] },
});
const command = ['/usr/bin/node', '/opt/wsl bench/main.js'];

describe('the Slurm array-job executor (no cluster needed)', () => {
  let dir: string;
  let m: Manifest;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wsl-grid-slurm-'));
    m = planManifest(grid);
    writeManifest(dir, m);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('the job script: generated #SBATCH lines, the user header, the index lookup and the cell command', () => {
    const s = renderSbatch({
      runDir: '/shared/runs/g',
      indexFile: '/shared/runs/g/slurm/sub-001/wave1-chunk0.idx',
      logDir: '/shared/runs/g/slurm/sub-001/logs',
      command,
      header: '#!/bin/bash\n#SBATCH --partition=gpu\n#SBATCH --gres=gpu:1\nmodule load nodejs/20\n',
      jobName: 'wslbench',
    });
    expect(s.split('\n')).toEqual([
      '#!/bin/bash',
      '#SBATCH --job-name=wslbench',
      '#SBATCH --output=/shared/runs/g/slurm/sub-001/logs/%A_%a.out',
      '#SBATCH --ntasks=1',
      '#SBATCH --partition=gpu',
      '#SBATCH --gres=gpu:1',
      'module load nodejs/20',
      'set -euo pipefail',
      'INDEX=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" /shared/runs/g/slurm/sub-001/wave1-chunk0.idx)',
      '[ -n "$INDEX" ] || { echo "no cell index for array task $SLURM_ARRAY_TASK_ID" >&2; exit 2; }',
      `exec /usr/bin/node '/opt/wsl bench/main.js' cell --run /shared/runs/g --index "$INDEX" --executor slurm`,
      '',
    ]);
  });

  test('chunks of at most MaxArraySize, NEGEV in a second wave after every first-wave job', () => {
    const plan = writeSlurmPlan(dir, m, m.cells, { command, maxArray: 3 });
    expect(plan.dir).toBe(join(dir, 'slurm', 'sub-001'));
    expect(plan.chunks.map((c) => [c.wave, c.indexes])).toEqual([
      [1, [0, 1, 2]],
      [1, [3]],
      [2, [4, 5]],
    ]);
    expect(readFileSync(plan.chunks[0]?.indexFile as string, 'utf8')).toBe('0\n1\n2\n');
    expect(sbatchArgs(plan.chunks[0]!, 2, [])).toEqual(['--parsable', '--array=0-2%2', plan.chunks[0]?.script]);
    expect(sbatchArgs(plan.chunks[2]!, undefined, ['11', '12'])).toEqual([
      '--parsable',
      '--array=0-1',
      '--dependency=afterany:11:12',
      plan.chunks[2]?.script,
    ]);
  });

  test('a resubmission of any subset is a dense array over its own index file', () => {
    writeSlurmPlan(dir, m, m.cells, { command });
    const again = submitSlurm(dir, m, [m.cells[3]!, m.cells[5]!], { command, dryRun: true, throttle: 4 });
    expect(again.plan.dir).toBe(join(dir, 'slurm', 'sub-002'));
    expect(again.plan.chunks.map((c) => c.indexes)).toEqual([[3], [5]]);
    expect(again.commands[0]).toBe(
      `sbatch --parsable --array=0-0%4 ${join(dir, 'slurm', 'sub-002', 'wave1-chunk0.sbatch')}`,
    );
    expect(readFileSync(join(dir, 'slurm', 'sub-002', 'wave2-chunk0.idx'), 'utf8')).toBe('5\n');
  });

  test('warns when the run folder is node-local', () => {
    expect(sharedFilesystemWarning('/tmp/runs/g')).toMatch(/node-local/);
    expect(sharedFilesystemWarning('/dev/shm/g')).toMatch(/node-local/);
  });
});
