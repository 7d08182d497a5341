export { type AddonLoad, type BuildStatus, loadAddon, type TorchAddon, type TorchRuntime } from './addon.js';
export { TorchBackend } from './backend.js';
export { BACKEND_NAME, fallbackKernelsUsed, NATIVE_KERNELS, registerTorchKernels } from './kernels.js';
export {
  compareParity,
  computeParityCase,
  PARITY_CASES,
  PARITY_TOLERANCE,
  type ParityCase,
  type ParityOutput,
} from './parity-cases.js';
export { registerTorchBackend, type TorchBackendInfo, type TorchOptions } from './register.js';
