import { parseStrict, RunConfig } from './config.js';

describe('parseStrict', () => {
  test('an unknown key is named once, with its path', () => {
    const run = () =>
      parseStrict(RunConfig, { method: 'cam', backbone: 'vgg16', dataset: 'glas', bogus: 1 }, 'run config');
    expect(run).toThrow('Invalid run config:\n  (root): Unrecognized key: "bogus"');
    let message = '';
    try {
      run();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.match(/bogus/g)).toHaveLength(1);
    expect(() =>
      parseStrict(RunConfig, { method: 'cam', backbone: 'vgg16', dataset: 'glas', input: { crop: 8, sz: 1 } }, 'c'),
    ).toThrow('input: Unrecognized key: "sz"');
  });
});
