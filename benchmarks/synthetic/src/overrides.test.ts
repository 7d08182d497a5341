import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyMethod } from '@wslbench/core';
import { listMethods } from '@wslbench/registry';
import { EPOCHS, UNET_EPOCHS } from './grid.js';
import { cellConfig, fullDecoderScale } from './overrides.js';
import { atSeeds, DEFAULT_CONFIGS_DIR } from './run.js';
import { groupSharedTraining } from './shared-training.js';
import { writeCellConfigs } from './write-configs.js';

const methods = new Map<string, AnyMethod>(listMethods().map((m) => [m.id, m]));
const GRADIENT_CAMS = ['gradcam', 'gradcam-pp', 'layercam', 'smooth-gradcam-pp', 'xgradcam'];

describe('the main job cells', () => {
  it('the versioned configs are what the grid and its overrides generate (regenerate: npm run configs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wslbench-configs-'));
    try {
      writeCellConfigs(dir);
      const files = readdirSync(DEFAULT_CONFIGS_DIR).filter((f) => f.endsWith('.json'));
      expect(readdirSync(dir).sort()).toEqual(files.sort());
      for (const f of files)
        expect([f, JSON.parse(readFileSync(join(DEFAULT_CONFIGS_DIR, f), 'utf8'))]).toEqual([
          f,
          JSON.parse(readFileSync(join(dir, f), 'utf8')),
        ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the U-Net bound gets the paper's decoder channels and its own epochs", () => {
    expect(fullDecoderScale('vgg16:w0.125')).toBe(8);
    expect(fullDecoderScale('resnet50')).toBe(1);
    const unet = cellConfig('unet', 'resnet50:w0.125', 'synth-glas');
    expect(unet.epochs).toBe(UNET_EPOCHS);
    expect(unet.hp).toEqual({ decoderScale: 8, lrGroups: 'decoder' });
    expect(unet.optimizer).toMatchObject({ lr: 0.001, headLrMultiplier: 10, stepSize: UNET_EPOCHS });
    expect(cellConfig('cam', 'resnet50:w0.125', 'synth-glas').epochs).toBe(EPOCHS);
    expect(cellConfig('negev', 'vgg16:w0.125', 'synth-camelyon').hp).toEqual({ decoderScale: 8 });
  });

  it('CAM and the five gradient CAMs of one backbone, dataset and seed are one training', () => {
    const family = ['cam', ...GRADIENT_CAMS];
    const cells = family.flatMap((m) =>
      ['vgg16:w0.125', 'resnet50:w0.125'].map((b) => ({ name: `${m}_${b}`, config: cellConfig(m, b, 'synth-glas') })),
    );
    const groups = groupSharedTraining(atSeeds(cells, [0, 1]), methods);
    expect(groups.map((g) => g.length)).toEqual([6, 6, 6, 6]);
    const flagged = listMethods().filter((m) => cellConfig(m.id, 'vgg16:w0.125', 'synth-camelyon').hp.reuseCamRun);
    expect(flagged.map((m) => m.id).sort()).toEqual(GRADIENT_CAMS);
    for (const m of GRADIENT_CAMS)
      expect(cellConfig(m, 'vgg16:w0.125', 'synth-camelyon').hp).toEqual({ reuseCamRun: true });
  });
});
