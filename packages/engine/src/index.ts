import './gradients.js';

export {
  BACKEND_NAMES,
  type BackendName,
  type DeviceName,
  type EngineInfo,
  engineEnvInfo,
  type InitEngineOptions,
  initEngine,
  type NativeProbe,
  probeNative,
} from './backend-choice.js';
export { engineGradients, fusedBatchNormGradConfig, registerEngineGradients } from './batch-norm-grad.js';
export { avgPoolGradConfig, bilinearMatrix, reluGradConfig, resizeBilinearGradConfig } from './exact-grads.js';
export { registerWasmTrainingKernels, wasmTrainingKernels } from './kernels/index.js';
