import { otherRegion, type Topology } from '../topology';
import type { ReadinessContext } from './readiness-check';

/** The Regions a check judges: the input's target (the Region that would take over) and the other one. */
export interface CheckRegions {
  readonly target: string;
  readonly other: string;
}

/** The target Region of the input and the other Region of the topology. */
export function checkRegions(ctx: ReadinessContext): CheckRegions {
  return { target: ctx.input.targetRegion, other: otherRegion(ctx.topology, ctx.input.targetRegion) };
}

/** A Region's ECS cluster and the services readiness looks at (its `services`, then its `writerServices`). */
export interface RegionServices {
  readonly ecsClusterName: string | undefined;
  readonly services: readonly string[];
}

/** The ECS cluster and services `region` has in the topology. */
export function regionServices(topology: Topology, region: string): RegionServices {
  const settings = topology.regions[region];
  return {
    ecsClusterName: settings?.ecsClusterName,
    services: [...new Set([...(settings?.services ?? []), ...(settings?.writerServices ?? [])])],
  };
}

/** `a, b and c`, or `none`. */
export function listed(items: readonly string[]): string {
  if (items.length === 0) return 'none';
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
