/** Source templates for `wslbench new method`: each kind starts from its shared base and already passes its test. */

/**
 * One import line of a generated file. Built at run time so that the CLI's own source names no package it does not
 * import (the dependency-rule test reads import lines).
 */
const imp = (names: string, module: string) => `import ${names} ${'from'} '${module}';`;

export const METHOD_KINDS = ['cam', 'gradient', 'pooling', 'erasing', 'decoder'] as const;
export type MethodKind = (typeof METHOD_KINDS)[number];

export interface MethodNames {
  id: string;
  /** PascalCase of the id, for type names: 'score-cam' -> 'ScoreCam'. */
  pascal: string;
}

interface Template {
  /** Workspaces the descriptor imports (package.json dependencies). */
  deps: readonly string[];
  family: string;
  group: 'weakly-supervised' | 'fully-supervised';
  summary: { trained: string; map: string };
  index: (n: MethodNames) => string;
  /** Options of the shared toy check (`learnsToyTask`) for this kind. */
  toyCheck: string;
  model: string;
}

const header = (n: MethodNames, what: string) =>
  `/**\n * ${n.pascal}: ${what}\n * TODO: the paper's formula in a sentence; the README explains defaults and reference-code differences.\n */`;

const TEMPLATES: Record<MethodKind, Template> = {
  cam: {
    deps: ['@wslbench/heads'],
    family: 'cam',
    group: 'weakly-supervised',
    summary: { trained: 'GAP + FC (WGAP)', map: 'Σ_k w_k A_k, own channel weights' },
    model:
      'the WGAP classifier (GAP + FC), trained with cross-entropy as CAM; map = Σ_k w_k A_k with the weights of `channelWeights`.',
    toyCheck: '',
    index: (n) => `${imp('* as tf', '@tensorflow/tfjs-core')}
${imp('{ classifierWeights, defineCamMethod }', '@wslbench/heads')}
${imp('{ z }', 'zod')}

export const ${n.pascal}Hyperparams = z.object({}).strict();
export type ${n.pascal}Hyperparams = z.infer<typeof ${n.pascal}Hyperparams>;

${header(n, 'a gradient-free CAM on the WGAP classifier (defineCamMethod: only the channel weights are its own).')}
export const method = defineCamMethod<${n.pascal}Hyperparams>({
  id: '${n.id}',
  title: '${n.pascal}',
  summary: { trained: 'GAP + FC (WGAP)', map: 'Σ_k w_k A_k, own channel weights' },
  citation: 'TODO: authors. Title. Venue year.',
  family: 'cam',
  hyperparams: ${n.pascal}Hyperparams,
  // Channel weights [N, K] from the features [N, h, w, K]; starts as CAM's (the classifier's column of the class).
  channelWeights: (model, _features, classes) => classifierWeights(model.fc.kernel as tf.Tensor2D, classes),
});

export default method;
`,
  },
  gradient: {
    deps: ['@wslbench/gradient-cam', '@wslbench/heads'],
    family: 'gradient',
    group: 'weakly-supervised',
    summary: { trained: 'WGAP', map: 'ReLU(Σ_k w_k A_k), w from the class-logit gradients' },
    model:
      'the WGAP classifier trained exactly as CAM (defineGradientMethod); the map is computed from the target layer activations A and the gradients g of the class logit.',
    toyCheck: '',
    index: (n) => `${imp('* as tf', '@tensorflow/tfjs-core')}
${imp('{ defineGradientMethod, gradientBaseShape, singlePassMaps }', '@wslbench/gradient-cam')}
${imp('{ globalAveragePool, weightedChannelSum }', '@wslbench/heads')}
${imp('{ z }', 'zod')}

export const ${n.pascal}Hyperparams = z.object({ ...gradientBaseShape }).strict();
export type ${n.pascal}Hyperparams = z.infer<typeof ${n.pascal}Hyperparams>;

${header(n, 'a gradient CAM: one forward and one backward pass, then the hook below.')}
export const method = defineGradientMethod<${n.pascal}Hyperparams>({
  id: '${n.id}',
  title: '${n.pascal}',
  summary: { trained: 'WGAP', map: 'ReLU(Σ_k w_k A_k), w from the class-logit gradients' },
  citation: 'TODO: authors. Title. Venue year.',
  hyperparams: ${n.pascal}Hyperparams,
  // Starts as GradCAM (w_k = spatial mean of g); write the method's own weights here.
  rawMaps: singlePassMaps(({ activations, gradients }) =>
    tf.tidy(() => tf.relu(weightedChannelSum(globalAveragePool(gradients), activations))),
  ),
});

export default method;
`,
  },
  pooling: {
    deps: ['@wslbench/heads'],
    family: 'pooling',
    group: 'weakly-supervised',
    summary: { trained: '1x1 conv -> class maps, own pooling', map: 'class map, min-max' },
    model:
      'a 1x1-conv head gives one map per class (definePoolingMethod); a spatial pooling turns each map into its logit; the map at test is the class map.',
    toyCheck: '',
    index: (n) => `${imp('{ definePoolingMethod, globalAveragePool, poolingHeadFields }', '@wslbench/heads')}
${imp('{ z }', 'zod')}

export const ${n.pascal}Hyperparams = z.object({ ...poolingHeadFields }).strict();
export type ${n.pascal}Hyperparams = z.infer<typeof ${n.pascal}Hyperparams>;

${header(n, 'class maps from a 1x1 conv, pooled into logits by the function below.')}
export const method = definePoolingMethod<${n.pascal}Hyperparams>({
  id: '${n.id}',
  title: '${n.pascal}',
  summary: { trained: '1x1 conv -> class maps, own pooling', map: 'class map, min-max' },
  citation: 'TODO: authors. Title. Venue year.',
  hyperparams: ${n.pascal}Hyperparams,
  searchSpace: {},
  // Spatial pooling [N, h, w, K] -> [N, K]; starts as GAP.
  pool: (maps) => globalAveragePool(maps),
});

export default method;
`,
  },
  erasing: {
    deps: ['@wslbench/heads'],
    family: 'erasing',
    group: 'weakly-supervised',
    summary: { trained: 'WGAP on modified training images', map: 'CAM' },
    model:
      'the WGAP classifier trained on images the method modifies (its own `loss`, with every random draw from `ctx.rng`); the map at test is plain CAM.',
    toyCheck: '{ lossWindow: 4, steps: 20 }',
    index: (n) => `${imp('* as tf', '@tensorflow/tfjs-core')}
${imp('{ crossEntropy, defineCamMethod }', '@wslbench/heads')}
${imp('{ z }', 'zod')}

export const ${n.pascal}Hyperparams = z
  .object({
    /** Probability that a training batch is modified. */
    prob: z.number().min(0).max(1).default(0.5),
  })
  .strict();
export type ${n.pascal}Hyperparams = z.infer<typeof ${n.pascal}Hyperparams>;

${header(n, 'the WGAP classifier trained on modified images; plain CAM at test.')}
export const method = defineCamMethod<${n.pascal}Hyperparams>({
  id: '${n.id}',
  title: '${n.pascal}',
  summary: { trained: 'WGAP on modified training images', map: 'CAM' },
  citation: 'TODO: authors. Title. Venue year.',
  family: 'erasing',
  hyperparams: ${n.pascal}Hyperparams,
  searchSpace: { prob: { min: 0.1, max: 1, scaling: 'linear' } },
  loss(model, batch, ctx) {
    // Every random draw comes from ctx.rng. Starts by zeroing a random half of the batch's pixels; erase here.
    const modify = ctx.rng() < ctx.hp.prob;
    const images = modify
      ? tf.mul(batch.images, tf.cast(tf.greater(tf.randomUniform(batch.images.shape, 0, 1, 'float32', ctx.rng.int32()), 0.5), 'float32'))
      : batch.images;
    return crossEntropy(model.forward(images as tf.Tensor4D, { training: true, rng: ctx.rng }).logits, batch.labels);
  },
});

export default method;
`,
  },
  decoder: {
    deps: ['@wslbench/core', '@wslbench/decoder', '@wslbench/heads'],
    family: 'decoder',
    group: 'fully-supervised',
    summary: { trained: 'WGAP + U-Net decoder on the encoder stages, pixel masks', map: 'foreground probability' },
    model:
      'the WGAP classifier plus a U-Net decoder over the encoder stages, trained on pixel masks (change `requirements` and the loss for a weakly-supervised decoder); the map is the foreground probability at input size.',
    toyCheck: '{ hp: { decoderScale: 1 / 16 }, mapSize: 16 }',
    index: (n) => `${imp('* as tf', '@tensorflow/tfjs-core')}
${imp('{ defineMethod, type MethodModel }', '@wslbench/core')}
${imp('{ buildUnetDecoder, foregroundProbability, maskedPixelCrossEntropy, type UnetDecoder }', '@wslbench/decoder')}
${imp('{ buildWgap, crossEntropy, type WgapModel, wgapHead }', '@wslbench/heads')}
${imp('{ z }', 'zod')}

export const ${n.pascal}Hyperparams = z
  .object({
    /** Decoder channels = 256-128-64-32-16 x backbone width x decoderScale. */
    decoderScale: z.number().positive().max(1).default(1),
  })
  .strict();
export type ${n.pascal}Hyperparams = z.infer<typeof ${n.pascal}Hyperparams>;

export interface ${n.pascal}Model extends MethodModel {
  readonly classifier: WgapModel;
  readonly decoder: UnetDecoder;
}

${header(n, 'a classifier and a decoder on one encoder; the decoder gives the map.')}
export const method = defineMethod<${n.pascal}Hyperparams, ${n.pascal}Model>({
  id: '${n.id}',
  title: '${n.pascal}',
  group: 'fully-supervised',
  summary: { trained: 'WGAP + U-Net decoder on the encoder stages, pixel masks', map: 'foreground probability' },
  citation: 'TODO: authors. Title. Venue year.',
  family: 'decoder',
  hyperparams: ${n.pascal}Hyperparams,
  searchSpace: {},
  requirements: { pixelMasks: true },
  build(backbone, ctx) {
    const classifier = buildWgap(backbone, ctx);
    const decoder = buildUnetDecoder(ctx.params, backbone, { scale: ctx.hp.decoderScale, group: 'head' });
    return { backbone, params: ctx.params, classifier, decoder, dispose: () => ctx.params.dispose() };
  },
  loss(model, batch, ctx) {
    if (!batch.masks) throw new Error('${n.id}: the batch has no pixel masks (requirements.pixelMasks asks for them)');
    const fctx = { training: true, rng: ctx.rng };
    const { stages, features } = model.backbone.forward(batch.images, fctx);
    const logits = wgapHead(model.classifier)(features);
    const seg = model.decoder.apply(stages, [batch.images.shape[1], batch.images.shape[2]], fctx);
    return tf.add(crossEntropy(logits, batch.labels), maskedPixelCrossEntropy(seg, batch.masks));
  },
  localize(model, images) {
    return tf.tidy(() => {
      const { stages } = model.backbone.forward(images, { training: false });
      const seg = model.decoder.apply(stages, [images.shape[1], images.shape[2]], { training: false });
      return foregroundProbability(seg);
    });
  },
  classify(model, images) {
    return tf.tidy(() => model.classifier.forward(images, { training: false }).logits);
  },
});

export default method;
`,
  },
};

export function methodTemplate(kind: MethodKind): Template {
  return TEMPLATES[kind];
}

export function testTemplate(n: MethodNames, kind: MethodKind): string {
  const opts = TEMPLATES[kind].toyCheck;
  return `${imp('{ learnsToyTask }', '@wslbench/core/testing')}
${imp('{ initEngine }', '@wslbench/engine')}
import { method } from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (initEngine also registers TF.js' gradient functions).
  await initEngine({ backend: 'wasm' });
});

describe('${n.pascal}', () => {
  // TODO: check the method's own formula against plain loops on a small hand-made input (see methods/*/src/*.test.ts).

  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method${opts ? `, ${opts}` : ''})).toEqual([]);
  });
});
`;
}

export function readmeTemplate(n: MethodNames, kind: MethodKind): string {
  return `# ${n.pascal} (\`${n.id}\`)

TODO: the paper (authors, title, venue, year) and what the method does, in two sentences.

## Model

Built from the \`${kind}\` template of \`wslbench new method\`: ${TEMPLATES[kind].model}

## Hyper-parameters

Defaults are \`method.hyperparams.parse({})\`; the search space is \`method.searchSpace\`. TODO: where each default
comes from (paper, reference code).

## Differences from the reference code

TODO: every place the reference code differs from the paper, with the reference behaviour behind a named option
(\`referenceOptions\`), or "none".
`;
}
