/** Display names and order of methods, datasets and backbones, following the paper's Table 1. */

export interface MethodInfo {
  id: string;
  /** Short name shown in tables and charts (the paper's, without the citation). */
  display: string;
  /** Row key in paper-tables.json (the paper's full row label). */
  paperKey: string;
  group: 'weakly-supervised' | 'fully-supervised';
}

const m = (id: string, display: string, paperKey: string, group: MethodInfo['group'] = 'weakly-supervised') => ({
  id,
  display,
  paperKey,
  group,
});

/** Table 1 order. */
export const METHODS: readonly MethodInfo[] = [
  m('gap', 'GAP', 'GAP (Lin et al., 2013)'),
  m('max-pool', 'MAX-POOL', 'MAX-POOL (Oquab et al., 2015)'),
  m('lse', 'LSE', 'LSE (Sun et al., 2016)'),
  m('cam', 'CAM', 'CAM (Zhou et al., 2016)'),
  m('has', 'HaS', 'HaS (Singh and Lee, 2017)'),
  m('gradcam', 'GradCAM', 'GradCAM (Selvaraju et al., 2017)'),
  m('wildcat', 'WILDCAT', 'WILDCAT (Durand et al., 2017)'),
  m('acol', 'ACoL', 'ACoL (Zhang et al., 2018a)'),
  m('spg', 'SPG', 'SPG (Zhang et al., 2018b)'),
  m('gradcam-pp', 'GradCAM++', 'GradCAM++ (Chattopadhyay et al., 2018)'),
  m('deep-mil', 'Deep MIL', 'Deep MIL (Ilse et al., 2018)'),
  m('prm', 'PRM', 'PRM (Zhou et al., 2018)'),
  m('adl', 'ADL', 'ADL (Choe and Shim, 2019)'),
  m('cutmix', 'CutMix', 'CutMix (Yun et al., 2019)'),
  m('smooth-gradcam-pp', 'Smooth-GradCAM', 'Smooth-GradCAM (Omeiza et al., 2019)'),
  m('xgradcam', 'XGradCAM', 'XGradCAM (Fu et al., 2020)'),
  m('layercam', 'LayerCAM', 'LayerCAM (Jiang et al., 2021)'),
  m('negev', 'NEGEV', 'NEGEV (ours)'),
  m('unet', 'U-Net', 'U-Net (Ronneberger et al., 2015)', 'fully-supervised'),
];

const METHOD_BY_ID = new Map(METHODS.map((x, i) => [x.id, { ...x, order: i }]));

/** Known methods get the paper's name and position; unknown ones are listed after them, by id. */
export function methodInfo(id: string): MethodInfo & { order: number } {
  return METHOD_BY_ID.get(id) ?? { id, display: id, paperKey: '', group: 'weakly-supervised', order: METHODS.length };
}

export function compareMethods(a: string, b: string): number {
  return methodInfo(a).order - methodInfo(b).order || a.localeCompare(b);
}

export interface DatasetInfo {
  id: string;
  display: string;
  /** The paper's dataset whose columns this one is compared with (null: no counterpart). */
  paperDataset: 'glas' | 'camelyon16' | null;
  /** A synthetic stand-in: comparisons with the paper are labelled as such. */
  synthetic: boolean;
  /** Class names by class id (the datasets' encoding). */
  classes: readonly string[];
}

export const DATASETS: readonly DatasetInfo[] = [
  {
    id: 'synth-glas',
    display: 'Synthetic GlaS',
    paperDataset: 'glas',
    synthetic: true,
    classes: ['benign', 'malignant'],
  },
  {
    id: 'synth-camelyon',
    display: 'Synthetic CAMELYON16',
    paperDataset: 'camelyon16',
    synthetic: true,
    classes: ['normal', 'tumor'],
  },
  { id: 'glas', display: 'GlaS', paperDataset: 'glas', synthetic: false, classes: ['benign', 'malignant'] },
  {
    id: 'camelyon16',
    display: 'CAMELYON16',
    paperDataset: 'camelyon16',
    synthetic: false,
    classes: ['normal', 'tumor'],
  },
];

/** Named groups of datasets for `writeLeaderboard` (file leaderboard-<group>.*). */
export const DATASET_GROUPS: Readonly<Record<string, readonly string[]>> = {
  synthetic: ['synth-glas', 'synth-camelyon'],
  paper: ['glas', 'camelyon16'],
};

export function datasetInfo(id: string): DatasetInfo & { order: number } {
  const i = DATASETS.findIndex((d) => d.id === id);
  if (i >= 0) return { ...DATASETS[i]!, order: i };
  return { id, display: id, paperDataset: null, synthetic: false, classes: [], order: DATASETS.length };
}

export function compareDatasets(a: string, b: string): number {
  return datasetInfo(a).order - datasetInfo(b).order || a.localeCompare(b);
}

/** Paper column order and header names of the base backbones. */
export const BACKBONES: readonly { id: string; display: string }[] = [
  { id: 'vgg16', display: 'VGG' },
  { id: 'inceptionv3', display: 'Inception' },
  { id: 'resnet50', display: 'ResNet' },
];

/** 'vgg16:w0.125' -> { base: 'vgg16', tag: 'w0.125' }; columns group by the base id, tags go to a note. */
export function parseBackbone(id: string): { base: string; tag: string | null } {
  const i = id.indexOf(':');
  return i < 0 ? { base: id, tag: null } : { base: id.slice(0, i), tag: id.slice(i + 1) };
}

export function backboneDisplay(base: string): string {
  return BACKBONES.find((b) => b.id === base)?.display ?? base;
}

export function compareBackbones(a: string, b: string): number {
  const order = (x: string) => {
    const i = BACKBONES.findIndex((bb) => bb.id === x);
    return i < 0 ? BACKBONES.length : i;
  };
  return order(a) - order(b) || a.localeCompare(b);
}
