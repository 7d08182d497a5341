/**
 * Gradient functions for every TF.js op. tfjs-core publishes them only as extensionless ESM files
 * (dist/register_all_gradients.js) that neither Node nor Jest can load; the union package's Node bundle registers
 * all of them (with the optimizers and chained ops) into tfjs-core's global registry, shared by every copy.
 */
import '@tensorflow/tfjs';
import { getGradient } from '@tensorflow/tfjs-core';

export function gradientsRegistered(): boolean {
  return getGradient('Conv2D') !== undefined && getGradient('FusedBatchNorm') !== undefined;
}
