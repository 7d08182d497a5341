import type { AnyMethod } from '@wslbench/core';
import { method as acol } from '@wslbench/method-acol';
import { method as adl } from '@wslbench/method-adl';
import { method as cam } from '@wslbench/method-cam';
import { method as cutmix } from '@wslbench/method-cutmix';
import { method as deepMil } from '@wslbench/method-deep-mil';
import { method as gap } from '@wslbench/method-gap';
import { method as gradcam } from '@wslbench/method-gradcam';
import { method as gradcamPp } from '@wslbench/method-gradcam-pp';
import { method as has } from '@wslbench/method-has';
import { method as layercam } from '@wslbench/method-layercam';
import { method as lse } from '@wslbench/method-lse';
import { method as maxPool } from '@wslbench/method-max-pool';
import { method as negev } from '@wslbench/method-negev';
import { method as prm } from '@wslbench/method-prm';
import { method as smoothGradcamPp } from '@wslbench/method-smooth-gradcam-pp';
import { method as spg } from '@wslbench/method-spg';
import { method as unet } from '@wslbench/method-unet';
import { method as wildcat } from '@wslbench/method-wildcat';
import { method as xgradcam } from '@wslbench/method-xgradcam';

/**
 * Every method package, imported explicitly (no import side effects, no discovery at run time), in the row order
 * of the paper's Table 1. A new method = one import + one entry here (registry.test.ts fails when one is missing).
 */
const METHODS: readonly AnyMethod[] = [
  gap,
  maxPool,
  lse,
  cam,
  has,
  gradcam,
  wildcat,
  acol,
  spg,
  gradcamPp,
  deepMil,
  prm,
  adl,
  cutmix,
  smoothGradcamPp,
  xgradcam,
  layercam,
  negev,
  unet,
];

export function listMethods(): AnyMethod[] {
  return [...METHODS];
}

export function getMethod(id: string): AnyMethod {
  const m = METHODS.find((x) => x.id === id);
  if (!m) {
    const known = METHODS.map((x) => x.id);
    throw new Error(`unknown method '${id}' (known: ${known.length ? known.join(', ') : 'none registered yet'})`);
  }
  return m;
}
export {
  cellsLine,
  methodReferences,
  methodsSentence,
  methodsTable,
  replaceSection,
  syncGeneratedDocs,
} from './docs.js';
