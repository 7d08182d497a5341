import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradients that TF.js 4.22 gets wrong on its CPU and wasm kernels, made exact (the adjoint of the forward, as
 * PyTorch computes it) on every backend:
 * - AvgPool with 'same' padding: the forward divides each window by its number of real pixels, but AvgPoolGrad
 *   divides every window by kh*kw (border gradients 1.5-2.25x too small for a 3x3 window).
 * - ResizeBilinear with halfPixelCenters: ResizeBilinearGrad ignores halfPixelCenters (and on the CPU backend fails
 *   for non-square images); the adjoint is computed here from the interpolation matrices instead.
 */
type Pool = {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

export const avgPoolGradConfig: GradConfig = {
  kernelName: 'AvgPool',
  inputsToSave: ['x'],
  gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const dy = dyIn as tf.Tensor4D;
    const [x] = saved as [tf.Tensor4D];
    const a = attrs as unknown as Pool;
    const [kh, kw] = Array.isArray(a.filterSize) ? a.filterSize : [a.filterSize, a.filterSize];
    // Real pixels under each window; the kernel's gradient divides by kh*kw, so scale dy by kh*kw/count first.
    const counts = tf.conv2d(
      tf.ones([1, x.shape[1], x.shape[2], 1]) as tf.Tensor4D,
      tf.ones([kh, kw, 1, 1]) as tf.Tensor4D,
      a.strides,
      a.pad,
      'NHWC',
      1,
      a.dimRoundingMode,
    );
    const scaled = tf.div(tf.mul(dy, tf.scalar(kh * kw)), counts);
    return {
      x: () => tf.engine().runKernel('AvgPoolGrad', { dy: scaled, input: x }, attrs) as tf.Tensor,
    };
  },
};

/** TF.js's bilinear weights [out, in] for one axis (tfjs-backend-cpu's ResizeBilinear rule). */
export function bilinearMatrix(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixel: boolean,
): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const scale = effIn / effOut;
  for (let r = 0; r < outSize; r++) {
    const src = halfPixel ? scale * (r + 0.5) - 0.5 : scale * r;
    const lo = Math.max(0, Math.floor(src));
    const hi = Math.min(inSize - 1, Math.ceil(src));
    const frac = src - lo;
    m[r * inSize + lo]! += 1 - frac;
    m[r * inSize + hi]! += frac;
  }
  return m;
}

type Resize = { alignCorners: boolean; halfPixelCenters: boolean; size: [number, number] };

export const resizeBilinearGradConfig: GradConfig = {
  kernelName: 'ResizeBilinear',
  inputsToSave: ['images'],
  gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const dy = dyIn as tf.Tensor4D;
    const [images] = saved as [tf.Tensor4D];
    const { alignCorners, halfPixelCenters } = attrs as unknown as Resize;
    return {
      images: () => {
        const [n, h, w, c] = images.shape;
        const [, oh, ow] = dy.shape;
        const mh = tf.tensor2d(bilinearMatrix(h, oh, alignCorners, halfPixelCenters), [oh, h]);
        const mw = tf.tensor2d(bilinearMatrix(w, ow, alignCorners, halfPixelCenters), [ow, w]);
        // dx[n,y,x,c] = sum_{i,j} mh[i,y] mw[j,x] dy[n,i,j,c]: contract rows, then columns.
        const rows = tf.matMul(mh, tf.reshape(tf.transpose(dy, [1, 0, 2, 3]), [oh, n * ow * c]), true, false);
        const r4 = tf.transpose(tf.reshape(rows, [h, n, ow, c]), [2, 1, 0, 3]); // [ow, n, h, c]
        const cols = tf.matMul(mw, tf.reshape(r4, [ow, n * h * c]), true, false); // [w, n*h*c]
        return tf.transpose(tf.reshape(cols, [w, n, h, c]), [1, 2, 0, 3]);
      },
    };
  },
};

/**
 * ReLU's gradient. On torch it is one native pass (TorchReluGrad, PyTorch's threshold_backward): tfjs-core's
 * dy * step(x) costs a comparison pass, a cast and a multiply over every activation, ~20 % of a VGG training step.
 * Elsewhere it is tfjs-core's formula. Both give dy where x > 0, else 0.
 */
export const reluGradConfig: GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const dy = dyIn as tf.Tensor;
    const [x] = saved as [tf.Tensor];
    return {
      x: () =>
        tf.getBackend() === 'torch'
          ? (tf.engine().runKernel('TorchReluGrad', { dy, x }) as tf.Tensor)
          : tf.mul(dy, tf.step(tf.cast(x, 'float32'))),
    };
  },
};
