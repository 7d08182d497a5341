import { formatBackboneList, listBackbones } from '@wslbench/backbones';

/** Text of `wslbench list backbones`: the three WSOL backbones, their parameter counts and CPU variants. */
export function backbonesListing(): string {
  return formatBackboneList(listBackbones());
}
