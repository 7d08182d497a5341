import { configName } from './provenance.js';

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
