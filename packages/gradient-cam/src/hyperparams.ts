import { z } from 'zod';

/**
 * Hyper-parameters shared by every gradient method. `reuseCamRun`: the classifier is trained exactly as CAM's
 * (WGAP + cross-entropy), so the trainer may load the finished CAM run of the same cell (dataset, backbone, fold,
 * seed) instead of training again; the result record must then say so. Only model selection differs (each method
 * selects its epoch by its own maps), so a reused run is selected by CAM's maps unless the trainer re-evaluates the
 * CAM run's checkpoints with this method. The trainer wires it; methods only declare it.
 */
export const gradientBaseShape = {
  reuseCamRun: z.boolean().default(false),
};
