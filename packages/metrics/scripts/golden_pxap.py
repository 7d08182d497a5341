"""Golden PxAP cases computed with numpy exactly as wsolevaluation's MaskEvaluator does (np.histogram with the
1003 right edges, reversed cumsums, masked pairwise sum, mIoU argmax). Writes src/__fixtures__/pxap-golden.json.
Run: python3 packages/metrics/scripts/golden_pxap.py  (numpy >= 1.20)."""
import json
import os

import numpy as np


def reference_pxap(maps, masks, step):
    thresholds = list(np.arange(0, 1, step))
    edges = np.append(thresholds, [1.0, 2.0, 3.0])
    fg = np.zeros(len(thresholds) + 2, dtype=float)
    bg = np.zeros(len(thresholds) + 2, dtype=float)
    for s, m in zip(maps, masks):
        assert s.dtype == np.float64 and not np.isnan(s).any() and s.min() >= 0 and s.max() <= 1
        fg += np.histogram(s[m == 1], bins=edges)[0].astype(float)
        bg += np.histogram(s[m == 0], bins=edges)[0].astype(float)
    tp = fg[::-1].cumsum()
    fn = fg.sum() - tp
    fp = bg[::-1].cumsum()
    tn = bg.sum() - fp
    with np.errstate(divide='ignore', invalid='ignore'):
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
        auc = (precision[1:] * np.diff(recall))[((tp + fp) != 0)[1:]].sum() * 100
        dice_fg = 2. * tp / (2. * tp + fp + fn)
        dice_bg = 2. * tn / (2. * tn + fp + fn)
        iou_fg = tp / (tp + fp + fn)
        iou_bg = tn / (tn + fp + fn)
        miou = 0.5 * (iou_fg + iou_bg)
        idx = int(np.argmax(miou))
        total_fg = float(tp[idx] + fn[idx])
        total_bg = float(tn[idx] + fp[idx])
        best = {
            'index': idx,
            'referenceTau': float(edges[idx]),
            'tpRate': float(100 * tp[idx] / total_fg), 'fnRate': float(100 * fn[idx] / total_fg),
            'tnRate': float(100 * tn[idx] / total_bg) if total_bg else None,
            'fpRate': float(100 * fp[idx] / total_bg) if total_bg else None,
            'diceFg': float(100 * dice_fg[idx]), 'diceBg': float(100 * dice_bg[idx]),
            'miou': float(100 * miou[idx]),
        }
    return float(auc), fg, bg, best


def case(name, maps, masks, step=0.001):
    auc, fg, bg, best = reference_pxap(maps, masks, step)
    return {
        'name': name, 'step': step, 'shape': list(maps[0].shape),
        'maps': [m.ravel().tolist() for m in maps], 'masks': [m.ravel().astype(int).tolist() for m in masks],
        'pxap': auc, 'fgHist': fg.astype(int).tolist(), 'bgHist': bg.astype(int).tolist(), 'best': best,
    }


def main():
    rng = np.random.default_rng(20240601)
    cases = []
    shape = (12, 12)

    def masks_with_ignore(n, p_ignore=0.1):
        out = []
        for _ in range(n):
            m = (rng.random(shape) < 0.4).astype(np.uint8)
            m[rng.random(shape) < p_ignore] = 255
            out.append(m)
        return out

    maps = [rng.random(shape) for _ in range(3)]
    cases.append(case('uniform random, ignore pixels', maps, masks_with_ignore(3)))

    # Scores exactly on (and next to) edges: k*0.001, k/1000 (differs for 144 k), 0.5, 0.999, 1.0, 0.
    pool = [k * 0.001 for k in range(1000)] + [k / 1000 for k in range(1001)] + [0.5, 0.001, 0.999, 1.0, 0.0]
    pool += [np.nextafter(k * 0.001, 0) for k in range(1, 1000)] + [np.nextafter(1.0, 0)]
    pool = np.array(pool)
    maps = [rng.choice(pool, size=shape) for _ in range(4)]
    cases.append(case('scores on and beside edges', maps, masks_with_ignore(4, 0.05)))

    # float32 maps (what TF.js produces), fed as float64 like the reference's t2n.
    maps = [rng.random(shape).astype(np.float32).astype(np.float64) for _ in range(3)]
    cases.append(case('float32 maps', maps, masks_with_ignore(3, 0.0)))

    # Foreground-correlated maps with all-background images mixed in.
    masks = [np.zeros(shape, np.uint8), (rng.random(shape) < 0.5).astype(np.uint8), np.zeros(shape, np.uint8)]
    maps = [np.clip(0.3 * m + 0.7 * rng.random(shape), 0, 1) for m in masks]
    maps[1][0, 0] = 1.0
    cases.append(case('all-background images mixed in', maps, masks))

    # Coarse steps (the reference CLI uses 0.01); 0.003 has a last threshold 0.999 of a ragged grid.
    maps = [np.round(rng.random(shape), 2) for _ in range(2)]
    cases.append(case('step 0.01, scores on hundredths', maps, masks_with_ignore(2), step=0.01))
    maps = [rng.random(shape) for _ in range(2)]
    cases.append(case('step 0.003', maps, masks_with_ignore(2), step=0.003))

    # Ties at few levels (constant blocks) and an all-foreground image.
    m0 = np.ones(shape, np.uint8)
    m1 = (rng.random(shape) < 0.3).astype(np.uint8)
    maps = [np.full(shape, 0.25), np.where(m1 == 1, 0.75, 0.25) * (rng.random(shape) < 0.8)]
    cases.append(case('few levels, all-foreground image', maps, [m0, m1]))

    out = os.path.join(os.path.dirname(__file__), '..', 'src', '__fixtures__', 'pxap-golden.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        json.dump({'numpy': np.__version__, 'cases': cases}, f)
    print('wrote', len(cases), 'cases to', os.path.normpath(out))


if __name__ == '__main__':
    main()
