/**
 * The one price table of the cost view (`npm run cost`): every price it multiplies by, with its unit, the Regions it
 * holds for, the page it comes from and how far it was checked. AWS could not be reached when the table was written,
 * and no stored copy of an AWS pricing page read on 2026-12-07 states any of these amounts: every price is
 * `UNCONFIRMED` (a recalled list price, one taken from issue 18, or one a third-party page states, named in the
 * entry). Where an AWS page or guide states the billing basis (per hour, per Availability Zone, per GB...), the entry
 * cites it. A price confirmed on its AWS page is marked `CONFIRMED <date> against <page>`. Check each on its source
 * page before relying on it. On-demand list prices in USD, before tax, free tier and discounts.
 */

/** The day the prices below were written down. */
export const PRICES_AS_OF = '2026-12-07';

/** Hours in the month every hourly price is multiplied by (the AWS pricing pages' convention: 730). */
export const HOURS_PER_MONTH = 730;

/** The two Regions the table has prices for (the default configuration's); any other Region is not priced. */
export const PRICED_REGIONS: readonly string[] = ['us-east-1', 'us-west-2'];

/** One price. */
export interface Price {
  /** The price in USD for one {@link unit}. */
  readonly usd: number;
  /** What one unit is, e.g. `hour`, `month`, `canary run`, `GB-month`. */
  readonly unit: string;
  /** The Regions the price holds in, or `global` for a charge that belongs to no Region. */
  readonly regions: readonly string[] | 'global';
  /** The AWS pricing page the price belongs to. */
  readonly source: string;
  /**
   * How the figure was checked: `CONFIRMED <date> against <AWS page>`, or `UNCONFIRMED...` with why (a recalled figure,
   * or the third-party page that states it); a test holds every entry to one of the two.
   */
  readonly checked: string;
}

const regional = (usd: number, unit: string, source: string, checked: string): Price => ({
  usd,
  unit,
  regions: PRICED_REGIONS,
  source,
  checked,
});

const RECALLED = 'UNCONFIRMED: recalled list price, no page read here states it';
/** A figure a third-party page states (not an AWS page): still unconfirmed. */
const THIRD_PARTY = 'UNCONFIRMED: a third-party page states it, no AWS page read here does';

/** Every price the cost view uses, by id. */
export const PRICES = {
  arcCluster: {
    usd: 2.5,
    unit: 'hour',
    regions: 'global',
    source: 'https://aws.amazon.com/application-recovery-controller/pricing/',
    checked:
      'UNCONFIRMED amount (issue 18: "about $2.50 an hour"; no page read here states it); the basis is the ARC guide\'s: "you are charged by the hour for each cluster that you create" (https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.create.html)',
  },
  regionSwitchPlan: {
    usd: 70,
    unit: 'month',
    regions: 'global',
    source: 'https://aws.amazon.com/application-recovery-controller/pricing/',
    checked:
      'UNCONFIRMED (issue 18: "about $70 a month"); no page read here (pricing page, ARC guide, Region switch launch posts) states a price or says a plan is billed by the month',
  },
  route53HealthCheck: {
    usd: 0.5,
    unit: 'month',
    regions: 'global',
    source: 'https://aws.amazon.com/route53/pricing/',
    checked: `${RECALLED} (basic HTTP/TCP health check of an AWS endpoint, 30 s interval; a check of an endpoint outside AWS may cost more: unverified); HTTPS, string matching, fast interval, latency measurement, calculated and CloudWatch-metric checks are not priced; whether a RECOVERY_CONTROL health check is billed at all is unverified: priced, to err high`,
  },
  route53HostedZone: {
    usd: 0.5,
    unit: 'month',
    regions: 'global',
    source: 'https://aws.amazon.com/route53/pricing/',
    checked: `${THIRD_PARTY} (first 25 hosted zones): https://eatsip365.com/understanding-how-route-53-billing-works; DNS queries are usage, not counted`,
  },
  natGatewayHour: regional(
    0.045,
    'hour',
    'https://aws.amazon.com/vpc/pricing/',
    `${THIRD_PARTY}: https://cloudburn.io/blog/aws-nat-gateway-pricing ("$0.045/hour in US East"); https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/ gives "~$0.045" for US West (Oregon)`,
  ),
  natGatewayGb: regional(
    0.045,
    'GB processed',
    'https://aws.amazon.com/vpc/pricing/',
    `${THIRD_PARTY}: https://cloudburn.io/blog/aws-nat-gateway-pricing ("$0.045/GB processed", US East); https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/ gives "~$0.045" for US West (Oregon)`,
  ),
  publicIpv4Hour: regional(
    0.005,
    'hour',
    'https://aws.amazon.com/vpc/pricing/',
    `${THIRD_PARTY}: https://www.doit.com/aws-public-ipv4-price-increase-the-complete-guide/ ("$0.005/Hour"), https://www.haufe-akademie.de/en/skill-it/blog/aws-gebuehren-ipv4-adressen (from February 1, 2024, all Regions); AWS's post https://aws.amazon.com/blogs/networking-and-content-delivery/identify-and-optimize-public-ipv4-address-usage-on-aws/ announces the charge on the addresses of NAT gateways, load balancers and Elastic IPs (the amount was not in the copy read)`,
  ),
  interfaceEndpointAzHour: regional(
    0.01,
    'hour per Availability Zone',
    'https://aws.amazon.com/privatelink/pricing/',
    `${THIRD_PARTY} (https://knbrlo.com/notes/aws/nat-gateway-data-processing: "about $0.01/hour per endpoint per AZ"); the basis is the AWS page's: "billed for each hour that your VPC endpoint remains provisioned in each Availability Zone" (https://aws.amazon.com/privatelink/pricing/, the amount not in the copy read); data processed ($/GB) is usage, not counted`,
  ),
  albHour: regional(
    0.0225,
    'hour',
    'https://aws.amazon.com/elasticloadbalancing/pricing/',
    `${THIRD_PARTY}: https://awsnegotiations.com/elastic-load-balancer-cost.html ("Application LB (ALB) $0.0225 / hour", no Region named); us-west-2 not stated`,
  ),
  albLcuHour: regional(
    0.008,
    'LCU-hour',
    'https://aws.amazon.com/elasticloadbalancing/pricing/',
    `${THIRD_PARTY}: https://awsnegotiations.com/elastic-load-balancer-cost.html ("$0.008 per LCU-hour", no Region named); us-west-2 not stated`,
  ),
  fargateVcpuHourX86: regional(
    0.04048,
    'vCPU-hour',
    'https://aws.amazon.com/fargate/pricing/',
    `${THIRD_PARTY}: https://www.vantage.sh/blog/fargate-pricing (us-east-1, Linux/x86 "$0.04048"); us-west-2 not stated`,
  ),
  fargateGbHourX86: regional(
    0.004445,
    'GB-hour',
    'https://aws.amazon.com/fargate/pricing/',
    `${THIRD_PARTY}: https://www.vantage.sh/blog/fargate-pricing (us-east-1, Linux/x86 "$0.004445"); us-west-2 not stated`,
  ),
  fargateVcpuHourArm: regional(
    0.03238,
    'vCPU-hour',
    'https://aws.amazon.com/fargate/pricing/',
    `${THIRD_PARTY}: https://www.vantage.sh/blog/fargate-pricing (us-east-1, Linux/ARM "$0.03238"); us-west-2 not stated`,
  ),
  fargateGbHourArm: regional(
    0.00356,
    'GB-hour',
    'https://aws.amazon.com/fargate/pricing/',
    `${THIRD_PARTY}: https://www.vantage.sh/blog/fargate-pricing (us-east-1, Linux/ARM "$0.00356"); us-west-2 not stated`,
  ),
  syntheticsRun: regional(
    0.0012,
    'canary run',
    'https://aws.amazon.com/cloudwatch/pricing/',
    `${THIRD_PARTY}: https://blog.mattsbit.co.uk/2023/11/11/aws-synthetics-canaries-when-to-bite-the-bullet/ ("Priced at $0.0012 per run", no Region named); the Lambda, S3 and logs each run uses are usage, not counted`,
  ),
  auroraStorageGbMonth: regional(
    0.1,
    'GB-month',
    'https://aws.amazon.com/rds/aurora/pricing/',
    `${THIRD_PARTY} (Aurora Standard): https://store-v2-khaki.vercel.app/rds-vs-aurora-cost-calculator.html; I/O requests ($/million, Aurora Standard only, per the Aurora guide's "DB instance billing for Aurora": https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/User_DBInstanceBilling.html) are usage, not counted`,
  ),
  dynamoDbStorageGbMonth: regional(0.25, 'GB-month', 'https://aws.amazon.com/dynamodb/pricing/on-demand/', RECALLED),
  dynamoDbWriteMillion: regional(
    0.625,
    'million WRU',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    `${THIRD_PARTY}: https://airbyte.com/data-engineering-resources/dynamodb-pricing ("$0.625 per million write request units", US East, after the November 2024 cut); a global table's replicated writes are assumed to cost the same per unit (https://www.jusdb.com/blog/dynamodb-cost-optimization-a-comprehensive-guide-by-jusdb: "Replicated writes now match single-region pricing")`,
  ),
  dynamoDbReadMillion: regional(
    0.125,
    'million RRU',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    `${THIRD_PARTY}: https://airbyte.com/data-engineering-resources/dynamodb-pricing ("$0.125 per million read request units", US East)`,
  ),
  s3StandardGbMonth: regional(
    0.023,
    'GB-month',
    'https://aws.amazon.com/s3/pricing/',
    `${RECALLED} (first 50 TB); requests are usage, not counted`,
  ),
  kmsKeyMonth: regional(
    1,
    'key-month',
    'https://aws.amazon.com/kms/pricing/',
    `${THIRD_PARTY} (a 2019 note): https://gist.github.com/dasgoll/b88d5be05dcc0deb052ad40446c2fb40; the KMS guide states a monthly fee per customer managed key without the amount; requests are usage`,
  ),
  secretMonth: regional(
    0.4,
    'secret-month',
    'https://aws.amazon.com/secrets-manager/pricing/',
    `${THIRD_PARTY}, a transcription of the AWS page (read 2026-09-20 by its author): https://raw.githubusercontent.com/api-evangelist/amazon-secrets-manager/refs/heads/main/plans/amazon-secrets-manager-plans-pricing.yml ("$0.40 / secret / month"; "A replica secret is considered a distinct secret and will also be billed per replica per month"); API calls are usage`,
  ),
  alarmMonth: regional(
    0.1,
    'alarm metric-month',
    'https://aws.amazon.com/cloudwatch/pricing/',
    `${THIRD_PARTY}: https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm ($0.10 standard, $0.30 high resolution) (standard-resolution alarm, per metric the alarm reads: an alarm over metric math is counted once per MetricStat, also UNCONFIRMED; high-resolution and anomaly detection alarms are not priced)`,
  ),
  dashboardMonth: regional(
    3,
    'dashboard-month',
    'https://aws.amazon.com/cloudwatch/pricing/',
    `${RECALLED} (the account's first three dashboards are free: not deducted)`,
  ),
} as const satisfies Record<string, Price>;

/** The id of a price in {@link PRICES}. */
export type PriceId = keyof typeof PRICES;

/**
 * Aurora DB instance hours by engine and instance class (`<engine>:<class>`, Aurora Standard, on demand). A class or
 * engine missing here is "not priced", never 0.
 */
export const AURORA_INSTANCE_HOURLY: Readonly<Record<string, Price>> = {
  'aurora-postgresql:db.r6g.large': regional(
    0.26,
    'hour',
    'https://aws.amazon.com/rds/aurora/pricing/',
    `${RECALLED}; a third-party calculator (https://store-v2-khaki.vercel.app/rds-vs-aurora-cost-calculator.html) shows $0.300 for Aurora PostgreSQL: the two disagree, check the official page`,
  ),
  'aurora-postgresql:db.r6g.xlarge': regional(0.519, 'hour', 'https://aws.amazon.com/rds/aurora/pricing/', RECALLED),
  'aurora-postgresql:db.r6g.2xlarge': regional(1.038, 'hour', 'https://aws.amazon.com/rds/aurora/pricing/', RECALLED),
  'aurora-postgresql:db.t4g.medium': regional(
    0.073,
    'hour',
    'https://aws.amazon.com/rds/aurora/pricing/',
    `${RECALLED}; a third-party calculator (https://store-v2-khaki.vercel.app/rds-vs-aurora-cost-calculator.html) shows $0.090 for Aurora PostgreSQL ($0.073 for RDS MySQL): the two disagree, check the official page`,
  ),
};

/** What the cost view assumes where the bill depends on traffic or data, printed under the table. */
export const USAGE_ASSUMPTIONS = {
  /** LCUs each Application Load Balancer uses every hour. */
  albLcuPerHour: 1,
  /** GB each NAT gateway processes a month. */
  natGbPerMonth: 10,
  /** GB each Aurora cluster (each Region's copy of a global database) stores. */
  auroraStorageGbPerCluster: 10,
  /** GB each DynamoDB table replica stores. */
  dynamoDbGbPerReplica: 1,
  /** Million write request units each DynamoDB table replica takes a month (a global table writes every replica). */
  dynamoDbWriteMillionsPerReplica: 1,
  /** Million read request units each DynamoDB table replica serves a month. */
  dynamoDbReadMillionsPerReplica: 1,
  /** GB each S3 bucket stores (S3 Standard). */
  s3GbPerBucket: 1,
} as const;

/**
 * Resource types with no charge of their own, with why: they are counted as nothing, by name, rather than as an
 * unknown type.
 */
export const NO_CHARGE_TYPES: Readonly<Record<string, string>> = {
  'AWS::EC2::VPC': 'no charge for the VPC itself',
  'AWS::EC2::Subnet': 'no charge',
  'AWS::EC2::RouteTable': 'no charge',
  'AWS::EC2::SubnetRouteTableAssociation': 'no charge',
  'AWS::EC2::Route': 'no charge',
  'AWS::EC2::InternetGateway': 'no charge (data transfer is usage)',
  'AWS::EC2::VPCGatewayAttachment': 'no charge',
  'AWS::EC2::SecurityGroup': 'no charge',
  'AWS::EC2::SecurityGroupIngress': 'no charge',
  'AWS::EC2::SecurityGroupEgress': 'no charge',
  'AWS::IAM::Role': 'no charge',
  'AWS::IAM::Policy': 'no charge',
  'AWS::IAM::ManagedPolicy': 'no charge',
  'AWS::KMS::Alias': 'no charge (the key is counted)',
  'AWS::RDS::DBSubnetGroup': 'no charge',
  'AWS::SecretsManager::SecretTargetAttachment': 'no charge (the secret is counted)',
  'AWS::ECS::Cluster': 'no charge (Fargate tasks are counted under their service)',
  'AWS::ECS::TaskDefinition': 'no charge (its tasks are counted under their service)',
  'AWS::ElasticLoadBalancingV2::Listener': 'no charge (the load balancer is counted)',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'no charge',
  'AWS::ElasticLoadBalancingV2::ListenerRule': 'no charge (rule evaluations are part of the LCU assumption)',
  'AWS::S3::BucketPolicy': 'no charge',
  'AWS::ApplicationAutoScaling::ScalableTarget':
    "no charge of its own for an ECS service's (its minimum is the task count counted); any other namespace is not priced",
  'AWS::ApplicationAutoScaling::ScalingPolicy': 'no charge',
  'AWS::Logs::MetricFilter': 'no charge of its own (the metric it emits is usage)',
  'AWS::SSM::Document': 'no charge for the document (Automation steps are usage)',
  'AWS::Lambda::EventInvokeConfig': 'no charge',
  'AWS::Lambda::Permission': 'no charge',
  'AWS::Route53RecoveryControl::ControlPanel': 'UNCONFIRMED: assumed included in the cluster hour',
  'AWS::Route53RecoveryControl::RoutingControl': 'UNCONFIRMED: assumed included in the cluster hour',
  'AWS::Route53RecoveryControl::SafetyRule': 'UNCONFIRMED: assumed included in the cluster hour',
  'AWS::CDK::Metadata': 'no charge',
};

/** Resource types billed only by use (requests, duration, data): listed under the table, not estimated. */
export const USAGE_ONLY_TYPES: Readonly<Record<string, string>> = {
  'AWS::Lambda::Function': 'invocations and duration',
  'AWS::Logs::LogGroup': 'ingestion and storage',
  'AWS::EC2::FlowLog': 'the log data it delivers',
  'AWS::Scheduler::Schedule': 'invocations (a free tier per month)',
  'AWS::RDS::GlobalCluster': 'replicated write I/O and cross-Region data transfer',
  'AWS::Route53::RecordSet': 'DNS queries (alias queries to a load balancer are free)',
  'AWS::ServiceDiscovery::HttpNamespace': 'Cloud Map registrations and lookups (UNCONFIRMED)',
  'AWS::SSM::Parameter': 'standard parameters: API calls only (an advanced parameter would be a monthly charge)',
  'AWS::FIS::ExperimentTemplate': 'action-minutes while a game day runs an experiment (UNCONFIRMED)',
  'Custom::AWS': 'the Lambda function that serves it',
  'Custom::VpcRestrictDefaultSG': 'the Lambda function that serves it',
};
