import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadRecords } from '../load.js';
import { leaderboardTable } from '../tables/leaderboard.js';
import { writeFixtureResults } from '../testing/fixtures.js';
import { compileSpec, renderSpec, saveChart } from './render.js';
import { paperScatterSpec, prCurvesSpec, pxapBarData, pxapBarsSpec, selectionCurvesSpec } from './specs.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wslbench-report-charts-'));
  await writeFixtureResults(dir, { maps: false });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = () => loadRecords(dir).map((l) => l.record);
/** Items of a mark kind in vega's SVG (each item carries aria-roledescription). */
const count = (svg: string, role: string) => svg.split(`aria-roledescription="${role}"`).length - 1;
/** <line> items of the data rule marks (rule items carry no aria description). */
const ruleLines = (svg: string) =>
  [...svg.matchAll(/<g class="mark-rule role-mark[^"]*"[^>]*>(.*?)<\/g>/g)].reduce(
    (n, m) => n + m[1]!.split('<line').length - 1,
    0,
  );

describe('chart specs', () => {
  it('grouped bars: one bar per (dataset, method, backbone) cell with runs, error rules, valid vega-lite', async () => {
    const spec = pxapBarsSpec(records());
    const data = pxapBarData(records());
    expect(data).toHaveLength(15); // 16 cells, the failed GradCAM/ResNet run on synth-camelyon has no bar
    const cam = data.find((d) => d.dataset === 'Synthetic GlaS' && d.method === 'CAM' && d.backbone === 'VGG')!;
    expect(cam.pxap).toBeCloseTo(62, 9);
    expect(cam.hi - cam.lo).toBeCloseTo(2 * Math.sqrt(8), 9);
    expect(() => compileSpec(spec)).not.toThrow();
    const { svg, png } = await renderSpec(spec);
    expect(count(svg, 'bar')).toBe(15);
    expect(ruleLines(svg)).toBe(15); // error rules (zero length where a single run)
    expect(svg).toContain('Synthetic GlaS');
    expect(svg).toContain('Synthetic CAMELYON16');
    expect(svg).toContain('PxAP (%)');
    const meta = await sharp(png).metadata();
    const w = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(2 * w);
    // Dataset panels are stacked (one method axis wide): a panel's height (220) taller than the same panels side by side.
    const facet = (spec as unknown as { facet: { row: unknown } }).facet;
    const { svg: sideBySide } = await renderSpec({ ...spec, facet: { column: facet.row } } as typeof spec);
    const height = (s: string) => Number(/<svg[^>]* height="(\d+)"/.exec(s)![1]);
    expect(height(svg) - height(sideBySide)).toBeGreaterThanOrEqual(220);
  });

  it('PR curves: one line per run with a stored curve', async () => {
    const { svg } = await renderSpec(prCurvesSpec(records(), 'synth-glas'));
    expect(count(svg, 'line mark')).toBe(9);
    expect(svg).toContain('Recall (%)');
    const { svg: svg2 } = await renderSpec(prCurvesSpec(records(), 'synth-camelyon'));
    expect(count(svg2, 'line mark')).toBe(8); // the failed run has no curve
  });

  it('model-selection curves: a PxAP and a CL line per run, a dot at each selected epoch', async () => {
    const { svg } = await renderSpec(selectionCurvesSpec(records(), 'synth-glas'));
    expect(count(svg, 'line mark')).toBe(18);
    expect(count(svg, 'point')).toBe(18);
    expect(svg).toContain('Few-shot PxAP (%)');
    expect(svg).toContain('CL accuracy (%)');
  });

  it('ours vs paper: one point per cell with a paper value, one diagonal per panel', async () => {
    const model = leaderboardTable(records(), { metric: 'pxap', paper: true });
    const { svg } = await renderSpec(paperScatterSpec(model));
    expect(count(svg, 'point')).toBe(15);
    expect(ruleLines(svg)).toBe(2);
    expect(svg).toContain('stroke-dasharray="4,4"');
    expect(svg).toContain('Synthetic GlaS vs paper GlaS');
    expect(() => paperScatterSpec(leaderboardTable(records(), { metric: 'pxap' }))).toThrow('paper: true');
  });

  it('compileSpec rejects a spec vega-lite only half understands', () => {
    expect(() =>
      compileSpec({ data: { values: [] }, mark: 'bar', encoding: { x: { field: 'a', type: 'bogus' as any } } } as any),
    ).toThrow();
  });

  it('saveChart writes the spec, SVG and PNG side by side', async () => {
    const out = await saveChart(join(dir, 'charts'), 'bars', pxapBarsSpec(records()));
    for (const p of [out.spec, out.svg, out.png]) expect(existsSync(p)).toBe(true);
    expect(JSON.parse(readFileSync(out.spec, 'utf8')).$schema).toContain('vega-lite');
    expect(readFileSync(out.svg, 'utf8')).toBe(out.svgText);
  });
});
