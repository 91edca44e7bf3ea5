import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import {
  type Cluster,
  DescribeClusterCommand,
  ListClustersCommand,
  ListControlPanelsCommand,
  ListRoutingControlsCommand,
  Route53RecoveryControlConfigClient,
} from '@aws-sdk/client-route53-recovery-control-config';
import type { RetryPolicy } from 'cockatiel';
import { NonRetriableError, RetriableError } from '../../core/errors';
import type { RoutingControlChange, RoutingControlPort, RoutingControlState } from '../../ports';
import {
  awsCall,
  DEFAULT_RETRY,
  describeError,
  hasName,
  isThrottling,
  type RetrySettings,
  retryPolicy,
} from './aws-call';
import { ROUTING_CONTROL_ACTIONS } from './required-actions';

/** One of the ARC cluster's (five) Regional endpoints. */
export interface ArcEndpoint {
  /** e.g. `https://host-aaaaaa.us-west-2.example.com/v1`. */
  readonly endpoint: string;
  readonly region: string;
}

/** Options of {@link AwsRoutingControl}. */
export interface AwsRoutingControlOptions {
  /** ARN of the ARC cluster. @default - found by {@link clusterName} */
  readonly clusterArn?: string;
  /** Name of the ARC cluster, when its ARN is not known. */
  readonly clusterName?: string;
  /** Name of the control panel, to resolve routing controls given by name. */
  readonly controlPanelName?: string;
  /** Region of the ARC control-plane API. @default 'us-west-2' */
  readonly controlPlaneRegion?: string;
  /** The cluster endpoints. @default - listed once on the control plane (`DescribeCluster`/`ListClusters`) */
  readonly endpoints?: readonly ArcEndpoint[];
  /** @default - a client in `controlPlaneRegion` */
  readonly controlConfigClient?: Route53RecoveryControlConfigClient;
  /** @default - a client per endpoint with `maxAttempts: 1` and short timeouts */
  readonly clientFor?: (endpoint: ArcEndpoint) => Route53RecoveryClusterClient;
  readonly retry?: Partial<RetrySettings>;
}

/** Errors that no other endpoint would answer differently. */
const CLIENT_ERRORS = [
  'AccessDeniedException',
  'ValidationException',
  'ResourceNotFoundException',
  'ServiceLimitExceededException',
];

/**
 * Routing controls through the ARC data plane. Each request tries the cluster endpoints in turn: throttling (and
 * `ConflictException`, "try again") is retried on the same endpoint with backoff; an endpoint that is down or failing
 * moves on to the next; when every endpoint failed, the error lists each endpoint's failure.
 *
 * The cluster, its endpoints and the ARNs of controls given by name are looked up once on the control plane (in
 * us-west-2), because CloudFormation cannot hand them to a stack in another Region.
 */
export class AwsRoutingControl implements RoutingControlPort {
  /** IAM actions each method needs (see required-actions.ts). */
  static readonly requiredActions = ROUTING_CONTROL_ACTIONS;

  private cluster?: Promise<{ arn: string; endpoints: readonly ArcEndpoint[] }>;
  private controlArns?: Promise<ReadonlyMap<string, string>>;
  private readonly clients = new Map<string, Route53RecoveryClusterClient>();
  private readonly sameEndpoint: RetryPolicy;
  private readonly controlPlane: RetryPolicy;
  private readonly region: string;
  private configClient?: Route53RecoveryControlConfigClient;

  constructor(private readonly options: AwsRoutingControlOptions) {
    if (!options.clusterArn && !options.clusterName) {
      throw new NonRetriableError('routing: neither clusterArn nor clusterName given; accepted: one of them');
    }
    const settings = { ...DEFAULT_RETRY, ...options.retry };
    this.sameEndpoint = retryPolicy(settings, (e) => isThrottling(e) || hasName(e, 'ConflictException'));
    this.controlPlane = retryPolicy(settings);
    this.region = options.controlPlaneRegion ?? 'us-west-2';
  }

  async getStates(controls: readonly string[]): Promise<Readonly<Record<string, RoutingControlState>>> {
    const states: Record<string, RoutingControlState> = {};
    for (const control of controls) {
      const arn = await this.arnOf(control);
      const answer = await this.onAnyEndpoint(`GetRoutingControlState ${arn}`, (client) =>
        client.send(new GetRoutingControlStateCommand({ RoutingControlArn: arn })),
      );
      if (answer.RoutingControlState !== 'On' && answer.RoutingControlState !== 'Off') {
        throw new RetriableError(
          `GetRoutingControlState ${arn}: unexpected state ${String(answer.RoutingControlState)}`,
        );
      }
      states[control] = answer.RoutingControlState;
    }
    return states;
  }

  async setStates(changes: readonly RoutingControlChange[]): Promise<void> {
    const entries: { RoutingControlArn: string; RoutingControlState: RoutingControlState }[] = [];
    for (const change of changes) {
      entries.push({ RoutingControlArn: await this.arnOf(change.control), RoutingControlState: change.state });
    }
    await this.onAnyEndpoint(
      `UpdateRoutingControlStates ${entries.map((e) => `${e.RoutingControlArn}=${e.RoutingControlState}`).join(', ')}`,
      (client) => client.send(new UpdateRoutingControlStatesCommand({ UpdateRoutingControlStateEntries: entries })),
    );
  }

  private config(): Route53RecoveryControlConfigClient {
    this.configClient ??=
      this.options.controlConfigClient ??
      new Route53RecoveryControlConfigClient({ region: this.region, maxAttempts: 1 });
    return this.configClient;
  }

  private onControlPlane<T>(what: string, request: () => Promise<T>): Promise<T> {
    return awsCall(this.controlPlane, `${what} (ARC control plane in ${this.region})`, request);
  }

  private resolveCluster(): Promise<{ arn: string; endpoints: readonly ArcEndpoint[] }> {
    this.cluster ??= (async () => {
      let found: Cluster | undefined;
      if (this.options.clusterArn) {
        if (this.options.endpoints) return { arn: this.options.clusterArn, endpoints: this.options.endpoints };
        const arn = this.options.clusterArn;
        found = (
          await this.onControlPlane(`DescribeCluster ${arn}`, () =>
            this.config().send(new DescribeClusterCommand({ ClusterArn: arn })),
          )
        ).Cluster;
      } else {
        let token: string | undefined;
        do {
          const page = await this.onControlPlane('ListClusters', () =>
            this.config().send(new ListClustersCommand(token ? { NextToken: token } : {})),
          );
          found = page.Clusters?.find((c) => c.Name === this.options.clusterName);
          token = found ? undefined : page.NextToken;
        } while (token);
        if (!found)
          throw new NonRetriableError(`ARC cluster named "${this.options.clusterName}" not found in ${this.region}`);
      }
      const endpoints =
        this.options.endpoints ??
        (found?.ClusterEndpoints ?? []).flatMap((e) =>
          e.Endpoint && e.Region ? [{ endpoint: e.Endpoint, region: e.Region }] : [],
        );
      if (!found?.ClusterArn || endpoints.length === 0) {
        throw new NonRetriableError(
          `ARC cluster ${this.options.clusterArn ?? this.options.clusterName} lists no endpoints (status ${found?.Status ?? 'unknown'})`,
        );
      }
      return { arn: found.ClusterArn, endpoints };
    })().catch((error: unknown) => {
      this.cluster = undefined;
      throw error;
    });
    return this.cluster;
  }

  private async arnOf(control: string): Promise<string> {
    if (control.startsWith('arn:')) return control;
    this.controlArns ??= (async () => {
      const panelName = this.options.controlPanelName;
      if (!panelName)
        throw new NonRetriableError(
          `routing control "${control}" is given by name but no control panel name is configured`,
        );
      const { arn: clusterArn } = await this.resolveCluster();
      let panelArn: string | undefined;
      let token: string | undefined;
      do {
        const page = await this.onControlPlane(`ListControlPanels of ${clusterArn}`, () =>
          this.config().send(
            new ListControlPanelsCommand({ ClusterArn: clusterArn, ...(token ? { NextToken: token } : {}) }),
          ),
        );
        panelArn = page.ControlPanels?.find((p) => p.Name === panelName)?.ControlPanelArn;
        token = panelArn ? undefined : page.NextToken;
      } while (token);
      if (!panelArn) throw new NonRetriableError(`control panel "${panelName}" not found in ARC cluster ${clusterArn}`);
      const arns = new Map<string, string>();
      token = undefined;
      do {
        const page = await this.onControlPlane(`ListRoutingControls of ${panelArn}`, () =>
          this.config().send(
            new ListRoutingControlsCommand({ ControlPanelArn: panelArn, ...(token ? { NextToken: token } : {}) }),
          ),
        );
        for (const c of page.RoutingControls ?? [])
          if (c.Name && c.RoutingControlArn) arns.set(c.Name, c.RoutingControlArn);
        token = page.NextToken;
      } while (token);
      return arns;
    })().catch((error: unknown) => {
      this.controlArns = undefined;
      throw error;
    });
    const arn = (await this.controlArns).get(control);
    if (!arn) {
      throw new NonRetriableError(
        `routing control "${control}" not found in control panel "${this.options.controlPanelName}"; found: ${[...(await this.controlArns).keys()].join(', ') || 'none'}`,
      );
    }
    return arn;
  }

  private client(endpoint: ArcEndpoint): Route53RecoveryClusterClient {
    let client = this.clients.get(endpoint.endpoint);
    if (!client) {
      client =
        this.options.clientFor?.(endpoint) ??
        new Route53RecoveryClusterClient({
          region: endpoint.region,
          endpoint: endpoint.endpoint,
          maxAttempts: 1,
          // A hung endpoint must not hold the runbook: move on to the next one quickly.
          requestHandler: { connectionTimeout: 3000, requestTimeout: 5000 },
        });
      this.clients.set(endpoint.endpoint, client);
    }
    return client;
  }

  private async onAnyEndpoint<T>(
    what: string,
    request: (client: Route53RecoveryClusterClient) => Promise<T>,
  ): Promise<T> {
    const { endpoints } = await this.resolveCluster();
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      try {
        return await this.sameEndpoint.execute(() => request(this.client(endpoint)));
      } catch (error) {
        if (hasName(error, ...CLIENT_ERRORS)) {
          throw new NonRetriableError(
            `${what} via ${endpoint.region} (${endpoint.endpoint}): ${describeError(error)}`,
            { cause: error },
          );
        }
        failures.push(`${endpoint.region} ${endpoint.endpoint}: ${describeError(error)}`);
      }
    }
    throw new RetriableError(
      `${what} failed on all ${endpoints.length} ARC cluster endpoints:\n${failures.map((f) => `  - ${f}`).join('\n')}`,
    );
  }
}
