import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { writeFileAtomic, writeJsonAtomic } from '@wslbench/core';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';

/** Compile a vega-lite spec; any compiler warning is an error (a warning means part of the spec was ignored). */
export function compileSpec(spec: TopLevelSpec): vega.Spec {
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    error: (...a: unknown[]) => {
      throw new Error(`vega-lite: ${a.join(' ')}`);
    },
    warn: (...a: unknown[]) => {
      warnings.push(a.join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  const out = vl.compile(spec, { logger: logger as any }).spec;
  if (warnings.length) throw new Error(`vega-lite warnings: ${warnings.join('; ')}`);
  return out;
}

/** Headless render: SVG from vega's View (renderer 'none', no canvas), PNG from the SVG with resvg (2x). */
export async function renderSpec(spec: TopLevelSpec): Promise<{ svg: string; png: Buffer }> {
  const view = new vega.View(vega.parse(compileSpec(spec)), { renderer: 'none', logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    const png = new Resvg(svg, {
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
      fitTo: { mode: 'zoom', value: 2 },
      background: 'white',
    })
      .render()
      .asPng();
    return { svg, png };
  } finally {
    view.finalize();
  }
}

export interface SavedChart {
  name: string;
  spec: string;
  svg: string;
  png: string;
  /** The SVG text, for inlining. */
  svgText: string;
}

/** Save `<dir>/<name>.vl.json` (the spec, for restyling), `<name>.svg` and `<name>.png` side by side. */
export async function saveChart(dir: string, name: string, spec: TopLevelSpec): Promise<SavedChart> {
  const { svg, png } = await renderSpec(spec);
  const paths = { spec: join(dir, `${name}.vl.json`), svg: join(dir, `${name}.svg`), png: join(dir, `${name}.png`) };
  writeJsonAtomic(paths.spec, spec);
  writeFileAtomic(paths.svg, svg);
  writeFileAtomic(paths.png, png);
  return { name, ...paths, svgText: svg };
}
