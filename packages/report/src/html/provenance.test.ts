import type { LoadedRecord } from '../load.js';
import { fixtureRecord } from '../testing/fixtures.js';
import { configName, describeConfigs, summarise } from './provenance.js';

describe('configName', () => {
  it('prefers a name the trainer set', () => {
    expect(configName({ name: 'my-run', method: 'cam', backbone: 'vgg16', dataset: 'glas', fold: 2 })).toBe('my-run');
    expect(configName({ configPath: 'configs/x.json', method: 'cam' })).toBe('configs/x.json');
  });

  it('falls back to the benchmarks file-name convention', () => {
    expect(configName({ method: 'cam', backbone: 'resnet50:w0.125', dataset: 'synth-glas', fold: 3 })).toBe(
      'cam_resnet50-w0.125_synth-glas_f3',
    );
    expect(configName({ method: 'gap', backbone: 'vgg16', dataset: 'glas' })).toBe('gap_vgg16_glas_f0');
    expect(configName({ backbone: 'vgg16' })).toBeNull();
  });
});

describe('describeConfigs', () => {
  it('counts configs, methods, backbones and datasets instead of listing every name', () => {
    const loaded: LoadedRecord[] = [];
    for (const method of ['cam', 'gap', 'negev'])
      for (const backbone of ['vgg16:w0.125', 'resnet50:w0.125'])
        for (const seed of [0, 1, 2])
          loaded.push({
            record: {
              ...fixtureRecord('synth-glas', method, backbone, seed, 0.5, 0.9),
              config: { method, backbone, dataset: 'synth-glas' },
            },
            file: '',
          });
    const s = summarise(loaded);
    expect(s.runs).toBe(18);
    expect(describeConfigs(s)).toBe("6 configs (3 methods × 2 backbones × 1 dataset; each run's in the run list)");
    expect(describeConfigs({ ...s, configNames: [] })).toBe('no config names');
  });
});
