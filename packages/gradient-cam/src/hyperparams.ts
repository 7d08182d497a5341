import { z } from 'zod';

/**
 * Hyper-parameters shared by every gradient method. `reuseCamRun`: the classifier is trained exactly as CAM's
 * (WGAP + cross-entropy), so with it the method's training is CAM's (`trainingOf` returns 'cam'): the same weights as
 * CAM's run of the cell, trained once for all of them by the trainer's trainShared. Selection stays the method's own.
 */
export const gradientBaseShape = {
  reuseCamRun: z.boolean().default(false),
};
