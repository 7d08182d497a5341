import { ablationTables, negevVariants, variantKey } from './ablations.js';
import { renderTable } from './format.js';
import { parseCli } from './options.js';

describe('NEGEV ablation tables', () => {
  it('keys runs by their non-default hyper-parameters; the D⁻ switch only counts with fully negative samples', () => {
    expect(variantKey({}, true)).toBe('default');
    expect(variantKey({ n: 1, lambda: 1 }, true)).toBe('default');
    expect(variantKey({ evidence: 'both', fullyNegative: false }, true)).toBe('fullyNegative=false');
    expect(variantKey({ evidence: 'both', fullyNegative: false }, false)).toBe('default');
    expect(variantKey({ lambda: 0.01, n: 10 }, true)).toBe('lambda=0.01,n=10');
  });

  it('needs 7 distinct NEGEV runs on CAMELYON-like data and 6 on GlaS-like data (quick tables)', () => {
    const t = ablationTables(true);
    expect([...negevVariants(t, true).keys()].sort()).toEqual(
      [
        'default',
        'evidence=negative,fullyNegative=false',
        'evidence=positive,fullyNegative=false',
        'fullyNegative=false',
        'lambda=0.01',
        'n=10',
        'selection=static',
      ].sort(),
    );
    expect([...negevVariants(t, false).keys()].sort()).toEqual(
      ['default', 'evidence=negative', 'evidence=positive', 'lambda=0.01', 'n=10', 'selection=static'].sort(),
    );
    // The full Table 4 has the paper's 16 values of n, Table 5 its 5 values of λ.
    const full = ablationTables(false);
    expect(full.find((x) => x.id === 'table4')!.rows.filter((r) => r.run !== 'cam')).toHaveLength(16);
    expect(full.find((x) => x.id === 'table5')!.rows.filter((r) => r.run !== 'cam')).toHaveLength(5);
  });

  it('renders ours beside the paper, with means only when every backbone has a value', () => {
    const table = ablationTables(true).find((t) => t.id === 'table2')!;
    const text = renderTable(
      table,
      {
        datasets: [
          { id: 'synth-glas', paper: 'glas', hasFullyNegative: false },
          { id: 'synth-camelyon', paper: 'camelyon16', hasFullyNegative: true },
        ],
        backbones: ['vgg16:w0.25', 'resnet50:w0.25'],
      },
      (row, dataset, backbone) =>
        row === 'CAM'
          ? backbone.startsWith('vgg')
            ? 40
            : 50
          : dataset === 'synth-glas' && row === '+ C-'
            ? undefined
            : 60,
    );
    const lines = text.split('\n');
    const cam = lines.find((l) => l.startsWith('CAM'))!;
    expect(cam).toMatch(
      /40\.0 \(68\.5\)\s+50\.0 \(64\.4\)\s+45\.0 \(61\.1\)\s+40\.0 \(25\.4\)\s+50\.0 \(27\.5\)\s+45\.0 \(33\.8\)/,
    );
    expect(lines.find((l) => l.startsWith('+ C- '))).toMatch(/^\+ C-\s+- \(81\.3\)\s+- \(81\.3\)\s+- \(71\.8\)/);
    // + D⁻ does not exist on a dataset without fully negative samples.
    expect(lines.find((l) => l.startsWith('+ C+ + C- + D-'))).toMatch(
      /- \(-\)\s+- \(-\)\s+- \(-\)\s+60\.0 \(70\.3\)\s+60\.0 \(52\.6\)\s+60\.0 \(58\.9\)/,
    );
  });

  it('parses the command line, rejecting bad values by name', () => {
    const o = parseCli(['--quick', '--tables', '2,4', '--size', '48', '--backbones', 'vgg16:w0.125']);
    expect(o.tables).toEqual(['table2', 'table4']);
    expect(o.input).toEqual({ crop: 48, eval: 48, resize: 55 });
    expect(o.epochs).toBe(2);
    expect(() => parseCli(['--tables', '7'])).toThrow(/unknown table '7'/);
    expect(() => parseCli(['--epochs', '-1'])).toThrow(/--epochs/);
    expect(() => parseCli(['--size', '50'])).toThrow(/divisible by 8/);
  });
});
