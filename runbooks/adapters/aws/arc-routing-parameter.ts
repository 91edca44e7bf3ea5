import { z } from 'zod';
import { NonRetriableError } from '../../core/errors';

/** One of the ARC cluster's (five) Regional endpoints. */
export interface ArcEndpoint {
  /** e.g. `https://host-aaaaaa.us-west-2.example.com/v1`. */
  readonly endpoint: string;
  readonly region: string;
}

/**
 * The value of the SSM parameter the routing stack writes into both Regions at deploy time: the ARC cluster's
 * endpoints in the shape of CloudFormation's `ClusterEndpoints` attribute, and the routing-control ARNs by name.
 * Plain data (no SDK import): the stack builds it, the routing adapter reads it.
 *
 * @example {"clusterArn":"arn:…:cluster/…","endpoints":[{"Region":"us-west-2","Endpoint":"https://…/v1"}],
 *           "routingControls":{"shop-dev-us-east-1":"arn:…/routingcontrol/…"}}
 */
export const arcRoutingParameterSchema = z.object({
  clusterArn: z.string().startsWith('arn:', 'accepted: the ARN of the ARC cluster (arn:…)'),
  endpoints: z
    .array(
      z.object({
        Region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'accepted: a Region such as "us-west-2"'),
        Endpoint: z.string().url('accepted: an https URL such as "https://host-….us-west-2.amazonaws.com/v1"'),
      }),
    )
    .min(1, 'accepted: at least one cluster endpoint'),
  routingControls: z.record(z.string(), z.string().startsWith('arn:', 'accepted: a routing-control ARN (arn:…)')),
});

/** The parsed parameter, with endpoints as the adapter uses them. */
export interface ArcRoutingParameter {
  readonly clusterArn: string;
  readonly endpoints: readonly ArcEndpoint[];
  /** Routing-control ARN by routing-control name. */
  readonly routingControls: Readonly<Record<string, string>>;
}

/** Parses the parameter's value; a missing or malformed value is a {@link NonRetriableError} naming `source`. */
export function parseArcRoutingParameter(value: string | undefined, source: string): ArcRoutingParameter {
  let json: unknown;
  try {
    json = JSON.parse(value ?? '');
  } catch {
    throw new NonRetriableError(
      `${source}: ${value === undefined ? 'has no value' : `${JSON.stringify(value.slice(0, 80))} is not JSON`}; accepted: the JSON the routing stack writes ({"clusterArn", "endpoints", "routingControls"})`,
    );
  }
  const parsed = arcRoutingParameterSchema.safeParse(json);
  if (!parsed.success) {
    throw new NonRetriableError(
      `${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ')}`,
    );
  }
  return {
    clusterArn: parsed.data.clusterArn,
    endpoints: parsed.data.endpoints.map((e) => ({ region: e.Region, endpoint: e.Endpoint })),
    routingControls: parsed.data.routingControls,
  };
}
