import { defineCamMethod } from '@wslbench/heads';
import { z } from 'zod';

export const CamHyperparams = z.object({}).strict();
export type CamHyperparams = z.infer<typeof CamHyperparams>;

/** CAM: a GAP + FC classifier trained with cross-entropy; map = Σ_k w_ck A_k, min-max normalised. */
export const method = defineCamMethod<CamHyperparams>({
  id: 'cam',
  title: 'CAM',
  paperKey: 'CAM (Zhou et al., 2016)',
  summary: { trained: 'GAP + FC (WGAP)', map: 'Σ_k w_ck A_k (no ReLU)' },
  citation:
    'Zhou, Khosla, Lapedriza, Oliva, Torralba. Learning Deep Features for Discriminative Localization. CVPR 2016.',
  family: 'cam',
  hyperparams: CamHyperparams,
});

export default method;
