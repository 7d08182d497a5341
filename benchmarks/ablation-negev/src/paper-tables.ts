/**
 * The paper's ablation tables (PxAP on test, %), copied from the paper's Tables 2, 3 (as
 * packages/report/data/paper-tables.json holds them) and from its appendix C.3 / C.4 (Tables 4, 5, which the JSON
 * does not carry).
 * Per row: [VGG16, InceptionV3, ResNet50, mean] for GlaS and for CAMELYON16; null = not reported.
 */
export type PaperCells = { glas: (number | null)[]; camelyon16: (number | null)[] };

export const PAPER_BACKBONES = ['vgg16', 'inceptionv3', 'resnet50'] as const;

export const PAPER_CAM: PaperCells = { glas: [68.5, 50.5, 64.4, 61.1], camelyon16: [25.4, 48.7, 27.5, 33.8] };

export const PAPER_TABLE2: Record<'positive' | 'negative' | 'both' | 'bothFullyNegative', PaperCells> = {
  positive: { glas: [81.3, 53.3, 81.3, 71.9], camelyon16: [38.1, 36.5, 30.8, 35.1] },
  negative: { glas: [81.3, 52.9, 81.3, 71.8], camelyon16: [42.1, 27.1, 38.0, 35.7] },
  both: { glas: [81.3, 70.1, 82.0, 77.8], camelyon16: [38.1, 35.3, 30.2, 34.5] },
  bothFullyNegative: { glas: [null, null, null, null], camelyon16: [70.3, 53.8, 52.6, 58.9] },
};

export const PAPER_TABLE3: Record<'random' | 'static', PaperCells> = {
  random: { glas: [81.3, 70.1, 82.0, 77.8], camelyon16: [70.3, 53.8, 52.6, 58.9] },
  static: { glas: [77.7, 60.3, 76.5, 71.5], camelyon16: [57.5, 47.4, 42.8, 49.2] },
};

export const PAPER_TABLE4: Record<number, PaperCells> = {
  1: { glas: [81.3, 70.1, 82.0, 77.8], camelyon16: [70.3, 53.8, 52.6, 58.9] },
  2: { glas: [81.3, 52.9, 81.3, 71.8], camelyon16: [69.7, 51.1, 47.2, 56.0] },
  3: { glas: [81.3, 52.9, 81.3, 71.8], camelyon16: [69.7, 51.9, 47.2, 56.2] },
  4: { glas: [81.3, 55.0, 81.3, 72.5], camelyon16: [69.7, 50.0, 47.2, 56.6] },
  5: { glas: [81.3, 52.9, 81.3, 71.8], camelyon16: [69.7, 53.4, 47.2, 56.7] },
  10: { glas: [81.3, 53.7, 81.3, 72.1], camelyon16: [69.7, 52.6, 47.2, 56.5] },
  20: { glas: [81.3, 52.9, 82.2, 72.1], camelyon16: [69.7, 51.3, 47.2, 56.0] },
  50: { glas: [81.3, 52.0, 81.3, 71.5], camelyon16: [69.7, 53.8, 50.3, 57.9] },
  100: { glas: [81.3, 53.4, 81.3, 72.0], camelyon16: [69.7, 50.5, 47.2, 55.8] },
  500: { glas: [81.3, 52.9, 81.3, 71.8], camelyon16: [69.7, 51.5, 47.6, 56.2] },
  1000: { glas: [81.3, 53.7, 81.3, 72.1], camelyon16: [69.7, 51.2, 48.5, 56.4] },
  2000: { glas: [81.3, 53.0, 81.3, 71.8], camelyon16: [69.7, 51.5, 47.2, 56.1] },
  3000: { glas: [81.3, 54.2, 81.3, 72.2], camelyon16: [69.7, 50.4, 48.5, 56.2] },
  4000: { glas: [81.3, 52.9, 81.3, 71.8], camelyon16: [69.7, 52.9, 47.2, 56.6] },
  5000: { glas: [81.3, 53.2, 82.7, 72.4], camelyon16: [69.7, 51.4, 47.7, 56.2] },
  10000: { glas: [81.3, 52.9, 81.3, 71.8], camelyon16: [69.7, 52.1, 47.2, 56.3] },
};

export const PAPER_TABLE5: Record<number, PaperCells> = {
  1: { glas: [81.3, 70.1, 82.0, 77.8], camelyon16: [70.3, 53.8, 52.6, 58.9] },
  0.1: { glas: [81.3, 50.8, 81.3, 71.1], camelyon16: [69.7, 52.5, 47.1, 56.4] },
  0.01: { glas: [80.3, 52.9, 73.0, 68.7], camelyon16: [69.5, 50.6, 51.0, 57.0] },
  0.001: { glas: [80.2, 52.9, 56.8, 63.3], camelyon16: [65.3, 51.2, 38.1, 51.5] },
  0.0001: { glas: [64.7, 52.9, 55.0, 57.5], camelyon16: [45.2, 42.6, 23.4, 37.0] },
};
