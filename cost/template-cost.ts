import {
  AURORA_INSTANCE_HOURLY,
  HOURS_PER_MONTH,
  NO_CHARGE_TYPES,
  PRICES,
  type Price,
  type PriceId,
  USAGE_ASSUMPTIONS,
  USAGE_ONLY_TYPES,
} from './price-table';

/** A CloudFormation resource as synthesized. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** One synthesized stack: its name, its Region and its template. */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly region: string;
  readonly template: { readonly Resources?: Readonly<Record<string, TemplateResource>> };
}

/** One line of the cost view: a component in a Region, how many, and what it costs a month. */
export interface CostLine {
  /** What is paid for, e.g. `NAT gateway`. */
  readonly component: string;
  /** The Region, or `global`. */
  readonly region: string;
  /** How many (gateways, instances, tasks, canaries...). */
  readonly quantity: number;
  /** How the monthly cost of one follows from the price table, e.g. `$0.045/hour x 730 h`. */
  readonly basis: string;
  /** The table's prices the line uses, e.g. `$0.045/hour`; `-` when not priced. */
  readonly prices: string;
  /** The monthly cost of one, in USD; undefined when not priced. */
  readonly unitMonthlyUsd?: number;
  /** quantity x unitMonthlyUsd; undefined when not priced. */
  readonly monthlyUsd?: number;
  /** Why the line has no price (fail closed: it is left out of the total, which then says it is incomplete). */
  readonly notPriced?: string;
  /** The resources counted: `<stack>/<logical id>`. */
  readonly resources: readonly string[];
}

/** A resource type billed by use only, with how many resources of it the templates hold. */
export interface UsageOnlyCount {
  readonly type: string;
  readonly count: number;
  readonly billedBy: string;
}

/** The monthly cost of a set of templates. */
export interface TemplateCost {
  /** Every priced or not-priced line, in template order. */
  readonly lines: readonly CostLine[];
  /** Sum of the priced lines, in USD. */
  readonly totalUsd: number;
  /** False when a line is not priced: the total is then a lower bound. */
  readonly complete: boolean;
  /** Resource types billed only by use, left out of the total. */
  readonly usageOnly: readonly UsageOnlyCount[];
}

const money = (usd: number) => `$${usd}`;

/** A price's monthly amount for one thing, or why it cannot be used in `region`. */
function priceIn(price: Price | undefined, region: string): { usd: number } | { notPriced: string } {
  if (price === undefined) return { notPriced: 'no price in the table' };
  if (price.regions !== 'global' && !price.regions.includes(region)) {
    return { notPriced: `no price for ${region} in the table (it has ${price.regions.join(', ')})` };
  }
  return { usd: price.usd };
}

/** Minutes between runs of a `rate(...)` schedule expression, or undefined for any other expression. */
export function rateMinutes(expression: unknown): number | undefined {
  if (typeof expression !== 'string') return undefined;
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  if (value <= 0) return undefined;
  const unit = match[2]!.replace(/s$/, '');
  return value * (unit === 'minute' ? 1 : unit === 'hour' ? 60 : 1440);
}

/** Builds the lines of a set of templates. */
class LineBuilder {
  readonly lines: CostLine[] = [];

  /** A line priced by `priceIds` (each x its factor) per thing, `quantity` things. */
  add(
    component: string,
    region: string,
    quantity: number,
    parts: ReadonlyArray<{ price: Price | undefined; factor: number; label: string }>,
    resource: string,
  ): void {
    if (!(Number.isFinite(quantity) && quantity >= 0)) {
      // A count the template gives as a token (a parameter, an import) cannot be read: never priced as NaN or 0.
      this.notPriced(component, region, 1, `the template gives no number for how many (${String(quantity)})`, resource);
      return;
    }
    let unit = 0;
    const basis: string[] = [];
    for (const part of parts) {
      const priced = priceIn(part.price, region);
      if ('notPriced' in priced) {
        this.push({
          component,
          region,
          quantity,
          basis: part.label,
          prices: '-',
          notPriced: priced.notPriced,
          resources: [resource],
        });
        return;
      }
      unit += priced.usd * part.factor;
      basis.push(`${money(priced.usd)}/${part.price!.unit} x ${part.label}`);
    }
    this.push({
      component,
      region,
      quantity,
      basis: basis.join(' + '),
      prices: parts.map((part) => `${money(part.price!.usd)}/${part.price!.unit}`).join(' + '),
      unitMonthlyUsd: unit,
      resources: [resource],
    });
  }

  notPriced(component: string, region: string, quantity: number, why: string, resource: string): void {
    this.push({ component, region, quantity, basis: '-', prices: '-', notPriced: why, resources: [resource] });
  }

  /** Merges a line into an equal one (same component, Region and basis) or appends it. */
  private push(line: Omit<CostLine, 'monthlyUsd'>): void {
    const index = this.lines.findIndex(
      (l) =>
        l.component === line.component &&
        l.region === line.region &&
        l.basis === line.basis &&
        l.notPriced === line.notPriced &&
        l.unitMonthlyUsd === line.unitMonthlyUsd,
    );
    const previous = index === -1 ? undefined : this.lines[index]!;
    const quantity = (previous?.quantity ?? 0) + line.quantity;
    const merged: CostLine = {
      ...line,
      quantity,
      monthlyUsd: line.unitMonthlyUsd === undefined ? undefined : quantity * line.unitMonthlyUsd,
      resources: [...(previous?.resources ?? []), ...line.resources],
    };
    if (index === -1) this.lines.push(merged);
    else this.lines[index] = merged;
  }
}

const hours = { factor: HOURS_PER_MONTH, label: `${HOURS_PER_MONTH} h` };
const perMonth = { factor: 1, label: '1 month' };
const p = (id: PriceId): Price => PRICES[id];

/** Resolves `{ Ref: id }` to `id`. */
const refOf = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && typeof (value as { Ref?: unknown }).Ref === 'string'
    ? (value as { Ref: string }).Ref
    : undefined;

/** The logical id of the ECS service a scalable target's ResourceId names (`service/<cluster>/<service name>`). */
function scalableTargetService(target: TemplateResource): string | undefined {
  const join = (target.Properties?.ResourceId as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  const last = join?.[1]?.[join[1].length - 1] as { 'Fn::GetAtt'?: [string, string] } | undefined;
  return last?.['Fn::GetAtt']?.[1] === 'Name' ? last['Fn::GetAtt'][0] : undefined;
}

/**
 * The monthly cost of `stacks`, counted from their CloudFormation resources: every resource is priced from
 * {@link PRICES} (at {@link USAGE_ASSUMPTIONS} where the bill depends on use), known to have no charge of its own,
 * billed by use only (listed, not estimated), or "not priced" (an unknown type, instance class, engine, Region or
 * schedule), which leaves the total incomplete rather than silently short.
 */
export function costOfTemplates(stacks: readonly SynthesizedStack[]): TemplateCost {
  const out = new LineBuilder();
  const usage = new Map<string, number>();
  for (const stack of stacks) {
    const resources = stack.template.Resources ?? {};
    const region = stack.region;
    // Aurora clusters' storage configuration: "aurora" (Aurora Standard) is the only one the table prices. RDS
    // StorageType: "Valid Values: aurora, aurora-iopt1 ... Default: aurora" (Aurora DB clusters).
    const clusterStorage = new Map<string, unknown>();
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type === 'AWS::RDS::DBCluster') clusterStorage.set(id, resource.Properties?.StorageType ?? 'aurora');
    }
    const minCapacity = new Map<string, unknown>();
    const unmatchedEcsTargets: string[] = [];
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::ApplicationAutoScaling::ScalableTarget') continue;
      const service = scalableTargetService(resource);
      if (service !== undefined) minCapacity.set(service, resource.Properties?.MinCapacity);
      else if (resource.Properties?.ServiceNamespace === 'ecs') unmatchedEcsTargets.push(id);
    }
    for (const [id, resource] of Object.entries(resources)) {
      const props = resource.Properties ?? {};
      const name = `${stack.stackName}/${id}`;
      switch (resource.Type) {
        case 'AWS::Route53RecoveryControl::Cluster':
          out.add('ARC routing-control cluster', 'global', 1, [{ price: p('arcCluster'), ...hours }], name);
          break;
        case 'AWS::ARCRegionSwitch::Plan':
          out.add('ARC Region switch plan', 'global', 1, [{ price: p('regionSwitchPlan'), ...perMonth }], name);
          break;
        case 'AWS::Route53::HealthCheck': {
          const config = (props.HealthCheckConfig ?? {}) as {
            Type?: string;
            RequestInterval?: unknown;
            MeasureLatency?: unknown;
          };
          const type = config.Type ?? 'unknown';
          const basic =
            (type === 'HTTP' || type === 'TCP') &&
            (config.RequestInterval === undefined || Number(config.RequestInterval) === 30) &&
            config.MeasureLatency !== true &&
            config.MeasureLatency !== 'true';
          if (type !== 'RECOVERY_CONTROL' && !basic) {
            // HTTPS, string matching, a 10 s interval and latency measurement are options billed on top of the basic
            // price, and calculated or CloudWatch-metric checks are priced apart: none is in the table.
            out.notPriced(
              `Route 53 health check (${type})`,
              'global',
              1,
              'only basic HTTP/TCP health checks (30 s interval, no latency measurement) and RECOVERY_CONTROL ones are in the table',
              name,
            );
            break;
          }
          out.add(
            `Route 53 health check (${type})`,
            'global',
            1,
            [{ price: p('route53HealthCheck'), ...perMonth }],
            name,
          );
          break;
        }
        case 'AWS::Route53::HostedZone':
          out.add('Route 53 hosted zone', 'global', 1, [{ price: p('route53HostedZone'), ...perMonth }], name);
          break;
        case 'AWS::RDS::DBInstance': {
          const instanceClass = String(props.DBInstanceClass);
          const engine = String(props.Engine);
          const price = AURORA_INSTANCE_HOURLY[`${engine}:${instanceClass}`];
          const clusterId = refOf(props.DBClusterIdentifier);
          const storage = clusterId === undefined ? undefined : clusterStorage.get(clusterId);
          if (price !== undefined && storage !== 'aurora') {
            // The table's instance hours are Aurora Standard's; I/O-Optimized instance hours are priced apart.
            out.notPriced(
              `DB instance ${instanceClass} (${engine})`,
              region,
              1,
              `its cluster's storage configuration is ${JSON.stringify(storage ?? 'not in this template')}: the table prices Aurora Standard ("aurora") only`,
              name,
            );
            break;
          }
          if (price === undefined) {
            out.notPriced(
              `DB instance ${instanceClass} (${engine})`,
              region,
              1,
              `no price for ${engine} ${instanceClass} in the table`,
              name,
            );
          } else {
            out.add(`Aurora instance ${instanceClass}`, region, 1, [{ price, ...hours }], name);
          }
          break;
        }
        case 'AWS::RDS::DBCluster':
          if ((props.StorageType ?? 'aurora') !== 'aurora') {
            out.notPriced(
              `Aurora storage (${USAGE_ASSUMPTIONS.auroraStorageGbPerCluster} GB per cluster, assumed)`,
              region,
              1,
              `StorageType ${JSON.stringify(props.StorageType)}: the table prices Aurora Standard ("aurora") storage only`,
              name,
            );
            break;
          }
          out.add(
            `Aurora storage (${USAGE_ASSUMPTIONS.auroraStorageGbPerCluster} GB per cluster, assumed)`,
            region,
            1,
            [
              {
                price: p('auroraStorageGbMonth'),
                factor: USAGE_ASSUMPTIONS.auroraStorageGbPerCluster,
                label: `${USAGE_ASSUMPTIONS.auroraStorageGbPerCluster} GB`,
              },
            ],
            name,
          );
          break;
        case 'AWS::EC2::NatGateway':
          out.add('NAT gateway', region, 1, [{ price: p('natGatewayHour'), ...hours }], name);
          out.add(
            `NAT gateway data (${USAGE_ASSUMPTIONS.natGbPerMonth} GB each, assumed)`,
            region,
            1,
            [
              {
                price: p('natGatewayGb'),
                factor: USAGE_ASSUMPTIONS.natGbPerMonth,
                label: `${USAGE_ASSUMPTIONS.natGbPerMonth} GB`,
              },
            ],
            name,
          );
          break;
        case 'AWS::EC2::EIP':
          out.add('Public IPv4 address (Elastic IP)', region, 1, [{ price: p('publicIpv4Hour'), ...hours }], name);
          break;
        case 'AWS::EC2::VPCEndpoint': {
          if ((props.VpcEndpointType ?? 'Gateway') === 'Gateway') break; // gateway endpoints (S3, DynamoDB): no charge
          if (props.VpcEndpointType !== 'Interface') {
            out.notPriced(
              `VPC endpoint (${String(props.VpcEndpointType)})`,
              region,
              1,
              'endpoint type not priced',
              name,
            );
            break;
          }
          if (!Array.isArray(props.SubnetIds)) {
            // An interface endpoint is billed per Availability Zone it is in (one subnet per zone): with no literal
            // list of subnets the number of zones is unknown, so the endpoint is not priced rather than priced at 0.
            out.notPriced(
              'VPC interface endpoint, per AZ',
              region,
              1,
              `SubnetIds ${JSON.stringify(props.SubnetIds)} is not a list in the template: the number of Availability Zones is unknown`,
              name,
            );
            break;
          }
          const zones = props.SubnetIds.length;
          out.add(
            'VPC interface endpoint, per AZ',
            region,
            zones,
            [{ price: p('interfaceEndpointAzHour'), ...hours }],
            name,
          );
          break;
        }
        case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
          if ((props.Type ?? 'application') !== 'application') {
            out.notPriced(
              `Load balancer (${String(props.Type)})`,
              region,
              1,
              'only Application Load Balancers are priced',
              name,
            );
            break;
          }
          out.add('Application Load Balancer', region, 1, [{ price: p('albHour'), ...hours }], name);
          out.add(
            `ALB capacity (${USAGE_ASSUMPTIONS.albLcuPerHour} LCU every hour, assumed)`,
            region,
            1,
            [
              {
                price: p('albLcuHour'),
                factor: USAGE_ASSUMPTIONS.albLcuPerHour * HOURS_PER_MONTH,
                label: `${USAGE_ASSUMPTIONS.albLcuPerHour} LCU x ${HOURS_PER_MONTH} h`,
              },
            ],
            name,
          );
          if ((props.Scheme ?? 'internet-facing') === 'internet-facing') {
            if (!Array.isArray(props.Subnets)) {
              // Subnets given as SubnetMappings or as a token: the number of addresses is unknown, never 0.
              out.notPriced(
                'Public IPv4 address (internet-facing ALB, one per subnet)',
                region,
                1,
                'Subnets is not a list in the template (SubnetMappings or a token): the number of addresses is unknown',
                name,
              );
              break;
            }
            const subnets = props.Subnets.length;
            out.add(
              'Public IPv4 address (internet-facing ALB, one per subnet)',
              region,
              subnets,
              [{ price: p('publicIpv4Hour'), ...hours }],
              name,
            );
          }
          break;
        }
        case 'AWS::ECS::Service': {
          const taskId = refOf(props.TaskDefinition);
          const task = taskId === undefined ? undefined : resources[taskId]?.Properties;
          const serviceName = String(props.ServiceName ?? id);
          // No DesiredCount in the template: CloudFormation starts one task and the scalable target raises it to its
          // minimum, the count the service keeps when idle. AWS::ECS::Service DesiredCount: "For new services, if a
          // desired count is not specified, a default value of 1 is used."
          if (props.DesiredCount === undefined && !minCapacity.has(id) && unmatchedEcsTargets.length > 0) {
            // A scalable target in this stack may be this service's: its minimum, not 1, would be the task count.
            out.notPriced(
              `ECS service ${serviceName}`,
              region,
              1,
              `no DesiredCount, and the scalable target(s) ${unmatchedEcsTargets.join(', ')} name a service the cost view cannot resolve: the task count is unknown`,
              name,
            );
            break;
          }
          const rawCount = props.DesiredCount ?? minCapacity.get(id) ?? 1;
          const count =
            typeof rawCount === 'number' || (typeof rawCount === 'string' && rawCount.trim() !== '')
              ? Number(rawCount)
              : Number.NaN;
          if (!(Number.isInteger(count) && count >= 0)) {
            out.notPriced(
              `ECS service ${serviceName}`,
              region,
              1,
              `task count ${JSON.stringify(rawCount)} (DesiredCount, else the scalable target's MinCapacity) is not a whole number in the template`,
              name,
            );
            break;
          }
          const cpu = Number(task?.Cpu);
          const memory = Number(task?.Memory);
          const platform = task?.RuntimePlatform as { CpuArchitecture?: string; OperatingSystemFamily?: string };
          const arch = platform?.CpuArchitecture ?? 'X86_64';
          const os = platform?.OperatingSystemFamily ?? 'LINUX';
          if (props.LaunchType !== 'FARGATE' || !(cpu > 0) || !(memory > 0) || os !== 'LINUX') {
            out.notPriced(
              `ECS service ${serviceName}`,
              region,
              count,
              'only Linux Fargate tasks with a Cpu and Memory are priced',
              name,
            );
            break;
          }
          const ephemeralGiB = (task?.EphemeralStorage as { SizeInGiB?: unknown } | undefined)?.SizeInGiB;
          if (ephemeralGiB !== undefined && !(Number(ephemeralGiB) <= 20)) {
            // Fargate includes 20 GiB of ephemeral storage per task; more is billed apart and is not in the table.
            out.notPriced(
              `ECS service ${serviceName}`,
              region,
              count,
              `ephemeral storage ${JSON.stringify(ephemeralGiB)} GiB: only the 20 GiB Fargate includes is in the table`,
              name,
            );
            break;
          }
          const vcpu = cpu / 1024;
          const gb = memory / 1024;
          const [vcpuPrice, gbPrice] =
            arch === 'ARM64'
              ? [p('fargateVcpuHourArm'), p('fargateGbHourArm')]
              : arch === 'X86_64'
                ? [p('fargateVcpuHourX86'), p('fargateGbHourX86')]
                : [undefined, undefined];
          out.add(
            `Fargate tasks: ${serviceName} (${vcpu} vCPU, ${gb} GB, ${arch})`,
            region,
            count,
            [
              { price: vcpuPrice, factor: vcpu * HOURS_PER_MONTH, label: `${vcpu} vCPU x ${HOURS_PER_MONTH} h` },
              { price: gbPrice, factor: gb * HOURS_PER_MONTH, label: `${gb} GB x ${HOURS_PER_MONTH} h` },
            ],
            name,
          );
          // A task given a public IP holds a public IPv4 address while it runs. AWS::ECS::Service AwsVpcConfiguration
          // AssignPublicIp: "When you use create-service or update-service, the default is DISABLED."
          const assignPublicIp = (
            props.NetworkConfiguration as { AwsvpcConfiguration?: { AssignPublicIp?: unknown } } | undefined
          )?.AwsvpcConfiguration?.AssignPublicIp;
          if (assignPublicIp === 'ENABLED') {
            out.add(
              'Public IPv4 address (Fargate task)',
              region,
              count,
              [{ price: p('publicIpv4Hour'), ...hours }],
              name,
            );
          } else if (assignPublicIp !== undefined && assignPublicIp !== 'DISABLED') {
            out.notPriced(
              'Public IPv4 address (Fargate task)',
              region,
              count,
              `AssignPublicIp ${JSON.stringify(assignPublicIp)} is neither ENABLED nor DISABLED in the template`,
              name,
            );
          }
          break;
        }
        case 'AWS::Synthetics::Canary': {
          const expression = (props.Schedule as { Expression?: unknown } | undefined)?.Expression;
          const minutes = rateMinutes(expression);
          const canaryName = String(props.Name ?? id);
          if (minutes === undefined) {
            out.notPriced(
              `Synthetics canary ${canaryName}`,
              region,
              1,
              `schedule ${JSON.stringify(expression)} is not a rate(...)`,
              name,
            );
            break;
          }
          const runs = (HOURS_PER_MONTH * 60) / minutes;
          out.add(
            `Synthetics canary runs (${String(expression)})`,
            region,
            1,
            [{ price: p('syntheticsRun'), factor: runs, label: `${runs} runs` }],
            name,
          );
          break;
        }
        case 'AWS::DynamoDB::GlobalTable':
        case 'AWS::DynamoDB::Table': {
          const replicas =
            resource.Type === 'AWS::DynamoDB::GlobalTable'
              ? ((props.Replicas as Array<{ Region?: string }> | undefined) ?? []).map((r) => r.Region ?? region)
              : [region];
          const tableClasses = [
            props.TableClass,
            ...((props.Replicas as Array<{ TableClass?: unknown }> | undefined) ?? []).map((r) => r.TableClass),
          ].filter((c) => c !== undefined && c !== 'STANDARD');
          if (tableClasses.length > 0) {
            out.notPriced(
              'DynamoDB table',
              region,
              replicas.length,
              `table class ${JSON.stringify(tableClasses)}: the table prices the STANDARD table class only`,
              name,
            );
            break;
          }
          if (props.BillingMode !== 'PAY_PER_REQUEST') {
            out.notPriced(
              'DynamoDB table (provisioned)',
              region,
              replicas.length,
              'only on-demand tables are priced',
              name,
            );
            break;
          }
          const a = USAGE_ASSUMPTIONS;
          for (const replicaRegion of replicas) {
            out.add(
              'DynamoDB on-demand replica (assumed use)',
              replicaRegion,
              1,
              [
                {
                  price: p('dynamoDbStorageGbMonth'),
                  factor: a.dynamoDbGbPerReplica,
                  label: `${a.dynamoDbGbPerReplica} GB`,
                },
                {
                  price: p('dynamoDbWriteMillion'),
                  factor: a.dynamoDbWriteMillionsPerReplica,
                  label: `${a.dynamoDbWriteMillionsPerReplica}`,
                },
                {
                  price: p('dynamoDbReadMillion'),
                  factor: a.dynamoDbReadMillionsPerReplica,
                  label: `${a.dynamoDbReadMillionsPerReplica}`,
                },
              ],
              name,
            );
          }
          break;
        }
        case 'AWS::S3::Bucket':
          out.add(
            `S3 Standard storage (${USAGE_ASSUMPTIONS.s3GbPerBucket} GB per bucket, assumed)`,
            region,
            1,
            [
              {
                price: p('s3StandardGbMonth'),
                factor: USAGE_ASSUMPTIONS.s3GbPerBucket,
                label: `${USAGE_ASSUMPTIONS.s3GbPerBucket} GB`,
              },
            ],
            name,
          );
          break;
        case 'AWS::KMS::Key':
          out.add('KMS customer managed key', region, 1, [{ price: p('kmsKeyMonth'), ...perMonth }], name);
          break;
        case 'AWS::SecretsManager::Secret': {
          out.add('Secrets Manager secret', region, 1, [{ price: p('secretMonth'), ...perMonth }], name);
          // A replica is billed as a secret of its own, in its Region (price table: secretMonth).
          const replicas = (props.ReplicaRegions as Array<{ Region?: string }> | undefined) ?? [];
          for (const replica of replicas) {
            out.add(
              'Secrets Manager secret (replica)',
              replica.Region ?? region,
              1,
              [{ price: p('secretMonth'), ...perMonth }],
              name,
            );
          }
          break;
        }
        case 'AWS::CloudWatch::Alarm': {
          const metrics = props.Metrics as Array<{ MetricStat?: { Period?: unknown } }> | undefined;
          const periods = [props.Period, ...(metrics ?? []).map((m) => m.MetricStat?.Period)].filter(
            (period) => period !== undefined,
          );
          if (props.ThresholdMetricId !== undefined) {
            out.notPriced('CloudWatch alarm', region, 1, 'anomaly detection alarm: not in the table', name);
            break;
          }
          if (periods.some((period) => !(Number(period) >= 60))) {
            out.notPriced(
              'CloudWatch alarm',
              region,
              1,
              `period ${JSON.stringify(periods)}: only standard-resolution alarms (60 s and longer) are in the table`,
              name,
            );
            break;
          }
          // The table's price is per alarm metric: an alarm over metric math counts each metric it reads.
          const metricCount = metrics === undefined ? 1 : metrics.filter((m) => m.MetricStat !== undefined).length;
          if (metricCount === 0) {
            out.notPriced(
              'CloudWatch alarm',
              region,
              1,
              'metric math with no MetricStat (a SEARCH or Metrics Insights query): the number of metrics is unknown',
              name,
            );
            break;
          }
          out.add('CloudWatch alarm metric', region, metricCount, [{ price: p('alarmMonth'), ...perMonth }], name);
          break;
        }
        case 'AWS::CloudWatch::Dashboard':
          out.add('CloudWatch dashboard', region, 1, [{ price: p('dashboardMonth'), ...perMonth }], name);
          break;
        case 'AWS::ApplicationAutoScaling::ScalableTarget':
          // An ECS service's target: its minimum is the task count counted under the service. Any other namespace
          // (Aurora Replicas, DynamoDB capacity...) adds capacity that no template holds: not priced, never 0.
          if (props.ServiceNamespace !== 'ecs') {
            out.notPriced(
              `Scalable target (${String(props.ScalableDimension)})`,
              region,
              1,
              `Application Auto Scaling of ${JSON.stringify(props.ServiceNamespace)} adds capacity no template holds (MinCapacity ${JSON.stringify(props.MinCapacity)})`,
              name,
            );
          }
          break;
        case 'AWS::SSM::Parameter':
          if (props.Tier !== undefined && props.Tier !== 'Standard') {
            out.notPriced(
              `SSM parameter (${String(props.Tier)})`,
              region,
              1,
              'only standard parameters are known',
              name,
            );
          } else {
            usage.set(resource.Type, (usage.get(resource.Type) ?? 0) + 1);
          }
          break;
        default:
          if (NO_CHARGE_TYPES[resource.Type] !== undefined) break;
          if (USAGE_ONLY_TYPES[resource.Type] !== undefined) {
            usage.set(resource.Type, (usage.get(resource.Type) ?? 0) + 1);
            break;
          }
          out.notPriced(resource.Type, region, 1, 'resource type not in the price table', name);
      }
    }
  }
  const totalUsd = out.lines.reduce((sum, line) => sum + (line.monthlyUsd ?? 0), 0);
  return {
    lines: out.lines,
    totalUsd,
    complete: out.lines.every((line) => line.notPriced === undefined),
    usageOnly: [...usage.entries()]
      .map(([type, count]) => ({ type, count, billedBy: USAGE_ONLY_TYPES[type]! }))
      .sort((a, b) => a.type.localeCompare(b.type)),
  };
}
