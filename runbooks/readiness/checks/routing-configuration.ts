import { listed } from '../check-regions';
import { onlyInRoutingModes, type ReadinessCheck } from '../readiness-check';

/**
 * `routing-configuration`: the ARC cluster endpoints and routing-control ARNs the runbooks hold (the topology, or the
 * routing parameter the routing stack writes) still match the cluster: every endpoint answers on its own, and lists
 * each Region's routing control under the ARN held. A failover tries the endpoints in turn
 * (https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.update.api.html: "Your process … should try each
 * endpoint in rotation"), so a stale endpoint or ARN goes unnoticed until the one endpoint that still answers is the
 * stale one.
 */
export const routingConfigurationCheck: ReadinessCheck = onlyInRoutingModes(['arc-cluster'], {
  name: 'routing-configuration',
  title: 'Every ARC cluster endpoint the runbooks hold answers and lists the routing controls with the ARNs held',
  scope: 'standing',
  whenRed:
    'The ARC endpoints or routing-control ARNs the runbooks hold no longer match the cluster (an endpoint does not answer, or a control is gone or was recreated): a failover may not be able to move traffic. Redeploy the routing stack so it rewrites the routing parameter, or fix routing in the topology.',
  uses: ['routing.describeConfiguration'],
  assess: async (ctx) => {
    const regions = [ctx.topology.primaryRegion, ctx.topology.standbyRegion];
    const controls = regions.map((r) => ctx.topology.routing.controls[r]!);
    const configuration = await ctx.ports.routing.describeConfiguration(controls);
    const failures: string[] = [];
    const notes: string[] = [];
    if (configuration.endpoints.length === 0) {
      failures.push('the runbooks hold no ARC cluster endpoint; expected: the Regional endpoints of the ARC cluster');
    }
    for (const [index, region] of regions.entries()) {
      const control = controls[index]!;
      if (!configuration.held[control]) {
        failures.push(
          `routing control of ${region} (${control}): the runbooks hold no ARN for it; expected: its ARN in the routing parameter or the topology`,
        );
      }
    }
    for (const endpoint of configuration.endpoints) {
      const where = `ARC endpoint ${endpoint.endpoint} (${endpoint.region})`;
      if (!endpoint.controls) {
        failures.push(`${where} does not answer (${endpoint.error ?? 'no answer'}); expected: every endpoint answers`);
        continue;
      }
      const arns = new Set(endpoint.controls.map((c) => c.arn));
      const missing = regions.filter((_, i) => {
        const arn = configuration.held[controls[i]!];
        return arn !== undefined && !arns.has(arn);
      });
      if (missing.length > 0) {
        failures.push(
          `${where} does not list ${missing.map((r) => `${r}'s routing control ${configuration.held[ctx.topology.routing.controls[r]!]}`).join(' nor ')}; it lists ${listed(endpoint.controls.map((c) => `${c.name} ${c.arn}`))}; expected: the ARNs the runbooks hold`,
        );
      } else notes.push(`${where} lists both routing controls`);
    }
    return {
      failures,
      notes,
      evidence: {
        held: configuration.held,
        endpoints: configuration.endpoints.map((e) => ({
          region: e.region,
          endpoint: e.endpoint,
          answered: e.controls !== undefined,
          ...(e.error ? { error: e.error } : {}),
          controls: e.controls?.map((c) => c.arn) ?? [],
        })),
      },
    };
  },
});
