import { NonRetriableError } from '../core/errors';
import type { RegionSwitchPort } from '../ports';

/**
 * The Region switch port of a topology in routing mode `arc-cluster`: there is no plan, so every call fails naming
 * the mode (no step calls it in that mode; a topology that says `region-switch` gets the real adapter).
 */
export function noRegionSwitch(mode: string): RegionSwitchPort {
  const refuse = (method: string) =>
    Promise.reject(
      new NonRetriableError(
        `regionSwitch.${method}: routing.mode is ${JSON.stringify(mode)}, which has no Region switch plan; accepted: routing.mode "region-switch" with routing.regionSwitch`,
      ),
    );
  return { activate: () => refuse('activate'), describePlan: () => refuse('describePlan') };
}
