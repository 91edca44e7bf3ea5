import type { ServiceFacts } from '../ports';
import { checkRegions, listed, regionServices } from './check-regions';
import type { ReadinessContext } from './readiness-check';

/** The services both Regions run and each Region's facts about them. */
export interface ServicePair {
  readonly services: readonly string[];
  readonly facts: Readonly<Record<string, Readonly<Record<string, ServiceFacts>>>>;
  /** Why nothing was compared (no ECS cluster or no services in the topology), when so. */
  readonly notChecked?: string;
}

/** Reads the facts of the services of both Regions (the union of the two Regions' service lists). */
export async function readServicePair(ctx: ReadinessContext): Promise<ServicePair> {
  const { target, other } = checkRegions(ctx);
  const sides = [target, other].map((region) => ({ region, ...regionServices(ctx.topology, region) }));
  const services = [...new Set(sides.flatMap((s) => s.services))];
  const without = sides.filter((s) => !s.ecsClusterName).map((s) => s.region);
  if (services.length === 0 || without.length > 0) {
    return {
      services,
      facts: {},
      notChecked:
        services.length === 0
          ? 'no ECS services configured in either Region: nothing to compare'
          : `no ECS cluster configured for ${listed(without)}: nothing to compare`,
    };
  }
  const facts: Record<string, Readonly<Record<string, ServiceFacts>>> = {};
  for (const side of sides)
    facts[side.region] = await ctx.ports.facts.services(side.region, side.ecsClusterName!, services);
  return { services, facts };
}

/** Failures for services that one Region does not run at all. */
export function missingServices(
  pair: ServicePair,
  regions: readonly string[],
): { service: string; failure?: string }[] {
  return pair.services.map((service) => {
    const absent = regions.filter((r) => !pair.facts[r]?.[service]);
    return absent.length === 0
      ? { service }
      : {
          service,
          failure: `service ${service}: not found in ${listed(absent)}; expected: the service deployed in both Regions`,
        };
  });
}
