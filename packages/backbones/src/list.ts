import { backboneIds, describeBackbone } from './create.js';

export interface BackboneListing {
  id: string;
  title: string;
  /** Full width (the paper's): trainable parameters (BN running stats excluded) and the Keras-style total. */
  params: number;
  paramsWithRunningStats: number;
  output: string;
  stages: string;
  insertionPoints: string[];
  camLayer: string;
  /** The CPU default variant, e.g. 'vgg16:w0.125' at 64x64, and its trainable parameters. */
  cpuVariant: { id: string; inputSize: number; params: number };
  kerasFile: string;
}

/** Rows for `wslbench list backbones` (no tensors allocated). */
export function listBackbones(): BackboneListing[] {
  return backboneIds().map((id) => {
    const d = describeBackbone(id);
    const cpu = d.spec.cpuDefault;
    const cpuId = `${id}:w${cpu.width}`;
    const s = d.spec.inputSize;
    return {
      id,
      title: d.spec.title,
      params: d.counts.trainable,
      paramsWithRunningStats: d.counts.total,
      output: `${d.outChannels}@${s / d.outputStride}x${s / d.outputStride} at ${s}`,
      stages: d.stages.map((st) => `${st.name} ${st.channels}@/${st.stride}`).join(', '),
      insertionPoints: [...d.insertionPoints],
      camLayer: d.spec.camLayer,
      cpuVariant: { id: cpuId, inputSize: cpu.inputSize, params: describeBackbone(cpuId).counts.trainable },
      kerasFile: d.spec.keras.file,
    };
  });
}

/** Plain-text table of `listBackbones()`. */
export function formatBackboneList(rows: BackboneListing[] = listBackbones()): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return rows
    .map((r) =>
      [
        `${r.id}  ${r.title}`,
        `  params ${n(r.params)} (${n(r.paramsWithRunningStats)} with BN running stats); out ${r.output}; CAM layer ${r.camLayer}`,
        `  stages ${r.stages}; ADL points ${r.insertionPoints.join(', ')}`,
        `  CPU variant ${r.cpuVariant.id} at ${r.cpuVariant.inputSize}x${r.cpuVariant.inputSize}: ${n(r.cpuVariant.params)} params`,
        `  Keras weights ${r.kerasFile}`,
      ].join('\n'),
    )
    .join('\n');
}
