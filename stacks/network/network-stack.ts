import { CfnResource, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** Properties of a {@link NetworkStack}. */
export interface NetworkStackProps extends StackProps {
  /** The Availability Zones the VPC spans, given explicitly so synth needs no credentials or lookups. */
  readonly availabilityZones: readonly string[];
  /**
   * The VPC's IPv4 range.
   *
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * How many NAT gateways to run.
   *
   * @default - one per Availability Zone, so losing a zone does not cut the others off
   */
  readonly natGateways?: number;
  /**
   * How long VPC flow logs are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly flowLogRetention?: logs.RetentionDays;
}

/**
 * The network of one Region: a VPC over the given zones with public subnets (load balancer, NAT),
 * private subnets with egress (Fargate tasks) and isolated subnets (databases), flow logs, and VPC endpoints for
 * the AWS services the tasks call, so image pulls, logs and secrets stay off the NAT gateways.
 */
export class NetworkStack extends Stack {
  /** The Region's VPC. */
  readonly vpc: ec2.Vpc;
  /**
   * A security group without rules that marks database clients: the databases admit it, the services that
   * need a database wear it. It lives here so neither the data nor the services stack references the other's.
   */
  readonly databaseClientSecurityGroup: ec2.SecurityGroup;

  private readonly zones: readonly string[];

  /** The VPC's IPv4 range as a literal (the VPC's own attribute is a token). */
  readonly cidr: string;

  /**
   * The configured zones. Without this override the VPC would ask the stack for its zones, which for a concrete
   * account is a context lookup: `cdk synth` would then need AWS credentials.
   */
  override get availabilityZones(): string[] {
    return [...this.zones];
  }

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    this.zones = props.availabilityZones;
    if (props.availabilityZones.length < 2) {
      throw new Error(
        `availabilityZones: ${JSON.stringify(props.availabilityZones)} has fewer than two zones; accepted: two or more zones of ${this.region}`,
      );
    }

    const cidr = props.cidr ?? '10.0.0.0/16';
    this.cidr = cidr;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: props.natGateways ?? props.availabilityZones.length,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'tasks', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'databases', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });

    // The provider behind restrictDefaultSecurityGroup gives its function a DependsOn on its role, which the
    // function's Role (a GetAtt of that role, whose policies are inline) already orders: cfn-lint W3005.
    const provider = this.node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    const providerRole = provider?.node.tryFindChild('Role');
    const providerHandler = provider?.node.tryFindChild('Handler');
    if (providerRole instanceof CfnResource && providerHandler instanceof CfnResource) {
      providerHandler.removeResourceDependency(providerRole);
    }

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      retention: props.flowLogRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
      maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
    });

    const endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
    };
    for (const [name, service] of Object.entries(endpoints)) {
      const endpoint = this.vpc.addInterfaceEndpoint(name, {
        service,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        privateDnsEnabled: true,
        open: false,
      });
      // HTTPS from the VPC's own range, written as the literal range (not the VPC's CidrBlock attribute) so
      // the rule can be checked before deployment.
      endpoint.connections.allowFrom(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
    }

    this.databaseClientSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseClients', {
      vpc: this.vpc,
      description: 'Marks tasks allowed to reach the Aurora clusters',
      allowAllOutbound: true,
    });
  }
}
