import { existsSync } from 'node:fs';

type H5 = typeof import('h5wasm/node').default;
let h5: Promise<H5> | undefined;
/** h5wasm is ESM-only: loaded on first use so that importing this package never needs it. */
function loadH5(): Promise<H5> {
  h5 ??= import('h5wasm/node').then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return h5;
}

/** One weight tensor of a Keras layer, in the order of the layer's `weight_names` attribute. */
export interface KerasTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** A Keras weights file (`model.save_weights` HDF5 layout): layer names in model order and their weights. */
export interface KerasWeightsFile {
  path: string;
  layerNames: string[];
  /** Layers that hold weights (pools, inputs, activations have none). */
  weights: Map<string, KerasTensor[]>;
  kerasVersion?: string;
}

/**
 * Reads `/<layer>` groups listed in the root `layer_names` attribute; each has a `weight_names` attribute whose
 * entries are dataset paths inside the group (Keras 2: `<layer>/kernel:0`, Keras 1: `<layer>_W:0`). Keras splits
 * very long attributes into `name0`, `name1`, ...; a full-model file keeps them under `model_weights`.
 */
export async function readKerasH5(path: string): Promise<KerasWeightsFile> {
  if (!existsSync(path)) throw new Error(`Keras weights: no file at '${path}'`);
  const h5wasm = await loadH5();
  let file: InstanceType<H5['File']>;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (err) {
    throw new Error(
      `Keras weights: '${path}' is not a readable HDF5 file (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  try {
    const rootEntity = file.keys().includes('model_weights') ? file.get('model_weights') : file;
    const root = rootEntity as InstanceType<H5['Group']>;
    const layerNames = stringsAttr(root, 'layer_names');
    if (!layerNames)
      throw new Error(`Keras weights: '${path}' has no 'layer_names' attribute (not a Keras weights file)`);
    const weights = new Map<string, KerasTensor[]>();
    for (const layer of layerNames) {
      const group = root.get(layer) as InstanceType<H5['Group']> | null;
      if (!group) throw new Error(`Keras weights: '${path}' lists layer '${layer}' but has no group for it`);
      const names = (stringsAttr(group, 'weight_names') ?? []).filter((n) => n.length > 0);
      if (!names.length) continue;
      weights.set(
        layer,
        names.map((name) => {
          const ds = group.get(name) as InstanceType<H5['Dataset']> | null;
          if (!ds?.shape)
            throw new Error(
              `Keras weights: '${path}': layer '${layer}' lists weight '${name}' but has no such dataset`,
            );
          const value = ds.value;
          const data = value instanceof Float32Array ? value : Float32Array.from(value as ArrayLike<number>);
          return { name, shape: ds.shape.slice(), data };
        }),
      );
    }
    const version = file.attrs.keras_version?.value;
    return { path, layerNames, weights, kerasVersion: version === undefined ? undefined : String(version) };
  } finally {
    file.close();
  }
}

function stringsAttr(group: InstanceType<H5['Group']>, name: string): string[] | undefined {
  const attrs = group.attrs;
  const one = (v: unknown): string[] => (Array.isArray(v) ? v.map(decode) : [decode(v)]);
  if (attrs[name]) return one(attrs[name]!.value);
  if (!attrs[`${name}0`]) return undefined;
  const out: string[] = [];
  for (let i = 0; attrs[`${name}${i}`]; i++) out.push(...one(attrs[`${name}${i}`]!.value));
  return out;
}

function decode(v: unknown): string {
  return v instanceof Uint8Array ? new TextDecoder().decode(v).replace(/\0+$/, '') : String(v);
}

/** Writes a weights file in the Keras layout (tests and fixtures): layers in order, weights as given. */
export async function writeKerasH5(
  path: string,
  layers: readonly { name: string; weights: readonly KerasTensor[] }[],
  { kerasVersion = '2.15.0' } = {},
): Promise<void> {
  const h5wasm = await loadH5();
  const file = new h5wasm.File(path, 'w');
  try {
    file.create_attribute(
      'layer_names',
      layers.map((l) => l.name),
    );
    file.create_attribute('backend', 'tensorflow');
    file.create_attribute('keras_version', kerasVersion);
    for (const layer of layers) {
      const g = file.create_group(layer.name);
      // Keras writes an empty list for layers without weights; HDF5 attributes here need one entry, so '' stands for none.
      g.create_attribute('weight_names', layer.weights.length ? layer.weights.map((w) => w.name) : ['']);
      for (const w of layer.weights) {
        const parts = w.name.split('/');
        let parent = g;
        for (const dir of parts.slice(0, -1)) parent = (parent.get(dir) as typeof g | null) ?? parent.create_group(dir);
        parent.create_dataset({ name: parts[parts.length - 1]!, data: w.data, shape: w.shape, dtype: '<f' });
      }
    }
  } finally {
    file.close();
  }
}
