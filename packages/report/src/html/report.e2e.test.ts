import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { writeFixtureResults } from '../testing/fixtures.js';
import { writeReport } from './report.js';

const CHROMIUM = '/usr/bin/chromium';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** Kept for a human look: the lead's note links it. */
const SCREENSHOT = join(REPO, 'results/report/e2e-fixture-screenshot.png');

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) {
  console.warn(
    `report e2e: SKIPPED, ${CHROMIUM} is missing (install: apt-get install -y chromium); in CI (CI set) this test fails instead.`,
  );
}
const itBrowser = haveChromium || process.env.CI ? it : it.skip;

let dir: string;
let html: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wslbench-report-e2e-'));
  await writeFixtureResults(dir);
  html = await writeReport(dir, join(dir, 'report'), { paper: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeReport', () => {
  it('writes a self-contained index.html with tables, four chart kinds, galleries and provenance', () => {
    expect(html).toBe(join(dir, 'report', 'index.html'));
    const text = readFileSync(html, 'utf8');
    // Nothing fetched from the network: every src is a data URI.
    expect(text).not.toMatch(/(src|href)="https?:/);
    const srcs = [...text.matchAll(/<img [^>]*src="([^"]{0,30})/g)].map((m) => m[1]!);
    expect(srcs.length).toBe(6 + 4); // bars, scatter, 2 x PR, 2 x selection; 2 datasets x 2 gallery images
    expect(srcs.every((s) => s.startsWith('data:image/'))).toBe(true);
    for (const name of [
      'pxap-by-backbone',
      'ours-vs-paper',
      'pr-curves-synth-glas',
      'model-selection-synth-camelyon',
    ]) {
      expect(text).toContain(`charts/${name}.vl.json`);
      for (const ext of ['vl.json', 'svg', 'png'])
        expect(existsSync(join(dir, 'report/charts', `${name}.${ext}`))).toBe(true);
    }
    expect(text).toContain('paper 68.5, Δ −6.5');
    expect(text).toContain('Kendall τ vs paper');
    expect(text).toContain('fixture-cam'); // config names, in the run list
    expect(text).toContain('4 configs (4 methods × 2 backbones × 2 datasets'); // the provenance line counts them
    expect(text).toContain('PxAP: paired difference to CAM');
    expect(text).toMatch(/<td class="up"><small>\+35\.0 \[\+\d+\.\d, \+\d+\.\d\] \*<\/small><\/td>/); // U-Net vs CAM
    expect(text).toContain('abc1234'); // record commits
    expect(text).toContain('seeds 0, 1');
  });

  itBrowser(
    'opens in headless Chromium: every chart and gallery image loads, no console errors',
    async () => {
      const userDataDir = mkdtempSync(join(tmpdir(), 'wslbench-chromium-'));
      const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
        viewport: { width: 1400, height: 900 },
      });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
        const images = await page.$$eval('img', (imgs) =>
          imgs.map((i) => ({
            alt: i.alt,
            cls: i.className,
            complete: i.complete,
            w: i.naturalWidth,
            h: i.naturalHeight,
          })),
        );
        expect(images.filter((i) => i.cls === 'chart')).toHaveLength(6);
        expect(images.filter((i) => i.cls === 'gallery')).toHaveLength(4);
        for (const i of images)
          expect({ alt: i.alt, loaded: i.complete && i.w > 0 && i.h > 0 }).toEqual({ alt: i.alt, loaded: true });
        // PxAP, its paired differences to CAM and to NEGEV, CL accuracy.
        expect(await page.$$eval('table.leaderboard', (t) => t.length)).toBe(4);
        mkdirSync(dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        expect(existsSync(SCREENSHOT)).toBe(true);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
    90_000,
  );
});
