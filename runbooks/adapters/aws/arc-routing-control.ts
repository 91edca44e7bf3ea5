import {
  GetRoutingControlStateCommand,
  ListRoutingControlsCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { RetryPolicy } from 'cockatiel';
import { NonRetriableError, RetriableError } from '../../core/errors';
import type {
  RoutingConfiguration,
  RoutingControlChange,
  RoutingControlPort,
  RoutingControlState,
  RoutingEndpointAnswer,
} from '../../ports';
import { type ArcEndpoint, parseArcRoutingParameter } from './arc-routing-parameter';
import {
  awsCall,
  DEFAULT_RETRY,
  describeError,
  hasName,
  isThrottling,
  type RetrySettings,
  retryPolicy,
} from './aws-call';
import {
  REGIONAL_REQUEST_LIMITS,
  type RequestLimits,
  requestHandlerOptions,
  SHORT_REQUEST_LIMITS,
} from './request-limits';
import { ROUTING_CONTROL_ACTIONS } from './required-actions';

export type { ArcEndpoint } from './arc-routing-parameter';

/** Options of {@link AwsRoutingControl}. */
export interface AwsRoutingControlOptions {
  /**
   * The cluster's Regional endpoints, when the topology lists them.
   *
   * @default - read from {@link parameterName}
   */
  readonly endpoints?: readonly ArcEndpoint[];
  /**
   * SSM parameter (in {@link parameterRegion}) holding the cluster's endpoints and the routing-control ARNs, written
   * by the routing stack at deploy time into both Regions (see `stacks/routing/arc-routing-parameter.ts`).
   *
   * @default - none: {@link endpoints} must be given
   */
  readonly parameterName?: string;
  /** The Region the parameter is read in: where the runbook runs (the surviving Region). */
  readonly parameterRegion?: string;
  /** Control panel of the routing controls, to tell controls of the same name apart when resolving names. */
  readonly controlPanelName?: string;
  /** @default - an SSM client in {@link parameterRegion} with `maxAttempts: 1` */
  readonly ssmClient?: SSMClient;
  /** @default - a client per endpoint with `maxAttempts: 1` and short timeouts */
  readonly clientFor?: (endpoint: ArcEndpoint) => Route53RecoveryClusterClient;
  /** Limits of each request to a cluster endpoint. @default SHORT_REQUEST_LIMITS (3 s to connect, 5 s per request) */
  readonly requestLimits?: RequestLimits;
  /** Where each request starts in the endpoint list. @default - a random endpoint (`Math.random`) */
  readonly random?: () => number;
  readonly retry?: Partial<RetrySettings>;
}

/** Errors that no other endpoint would answer differently. */
const CLIENT_ERRORS = [
  'AccessDeniedException',
  'ValidationException',
  'ResourceNotFoundException',
  'ServiceLimitExceededException',
];

/** What the adapter knows of the cluster once loaded: endpoints and the routing-control ARNs by name. */
interface Known {
  readonly endpoints: readonly ArcEndpoint[];
  readonly arnsByName: ReadonlyMap<string, string>;
}

/**
 * Routing controls through the ARC **data plane** only. ARC's guidance for Regional failover
 * (https://docs.aws.amazon.com/r53recovery/latest/dg/route53-arc-best-practices.regional.html): "Bookmark or hard
 * code your five Regional cluster endpoints and routing control ARNs … During a failure event, you might not be
 * able to access some API operations, including ARC API operations that are not hosted on the extremely reliable
 * data plane cluster." So the endpoints and ARNs come from the topology or from an SSM parameter in the runbook's own
 * Region (written at deploy time), never from the control plane in us-west-2, which may be the Region that failed.
 *
 * Each request starts at a random endpoint ("Choose one of your endpoints at random") and tries the others in turn
 * (https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.update.api.html: "ARC ensures that at least
 * three out of the five Regional cluster endpoints are always accessible … Your process … should try each endpoint
 * in rotation"): throttling and `ConflictException` are retried on the same endpoint with backoff; an endpoint that
 * is down or failing moves on to the next; when every endpoint failed, the error lists each endpoint's failure. A
 * control given by name that the parameter does not list is resolved with the data plane's `ListRoutingControls`.
 */
export class AwsRoutingControl implements RoutingControlPort {
  /** IAM actions each method needs (see required-actions.ts). */
  static readonly requiredActions = ROUTING_CONTROL_ACTIONS;

  private known?: Promise<Known>;
  private listed?: Promise<ReadonlyMap<string, string>>;
  private readonly clients = new Map<string, Route53RecoveryClusterClient>();
  private readonly sameEndpoint: RetryPolicy;
  private readonly regional: RetryPolicy;

  constructor(private readonly options: AwsRoutingControlOptions) {
    if (!options.endpoints?.length && !options.parameterName) {
      throw new NonRetriableError(
        'routing: neither endpoints nor parameterName given; accepted: the ARC cluster endpoints, or the SSM parameter the routing stack writes them to',
      );
    }
    if (options.parameterName && !options.parameterRegion && !options.ssmClient) {
      throw new NonRetriableError('routing: parameterName given without parameterRegion; accepted: the runbook Region');
    }
    const settings = { ...DEFAULT_RETRY, ...options.retry };
    this.sameEndpoint = retryPolicy(settings, (e) => isThrottling(e) || hasName(e, 'ConflictException'));
    this.regional = retryPolicy(settings);
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

  /**
   * Asks every endpoint on its own for its routing controls (`ListRoutingControls`, every page), so one endpoint
   * that stopped answering or lists other controls shows, where a request that moves on to the next endpoint hides it.
   */
  async describeConfiguration(controls: readonly string[]): Promise<RoutingConfiguration> {
    const known = await this.load();
    const held: Record<string, string | undefined> = {};
    for (const control of controls)
      held[control] = control.startsWith('arn:') ? control : known.arnsByName.get(control);
    const endpoints = await Promise.all(
      known.endpoints.map(async (endpoint): Promise<RoutingEndpointAnswer> => {
        try {
          const listed: { arn: string; name: string }[] = [];
          let token: string | undefined;
          do {
            const page = await this.sameEndpoint.execute(() =>
              this.client(endpoint).send(new ListRoutingControlsCommand(token ? { NextToken: token } : {})),
            );
            for (const c of page.RoutingControls ?? []) {
              if (c.RoutingControlArn) listed.push({ arn: c.RoutingControlArn, name: c.RoutingControlName ?? '' });
            }
            token = page.NextToken;
          } while (token);
          return { region: endpoint.region, endpoint: endpoint.endpoint, controls: listed };
        } catch (error) {
          return { region: endpoint.region, endpoint: endpoint.endpoint, error: describeError(error) };
        }
      }),
    );
    return { held, endpoints };
  }

  /** Endpoints and ARNs from the options, else from the parameter (read once; a failed read is tried again). */
  private load(): Promise<Known> {
    this.known ??= (async (): Promise<Known> => {
      if (this.options.endpoints?.length) return { endpoints: this.options.endpoints, arnsByName: new Map() };
      const name = this.options.parameterName!;
      const region = this.options.parameterRegion ?? 'the runbook Region';
      const client =
        this.options.ssmClient ??
        new SSMClient({ region, maxAttempts: 1, requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS) });
      const answer = await awsCall(this.regional, `GetParameter ${name} in ${region}`, async () => {
        try {
          return await client.send(new GetParameterCommand({ Name: name }));
        } catch (error) {
          if (hasName(error, 'ParameterNotFound')) {
            throw new NonRetriableError(
              `GetParameter ${name} in ${region}: the parameter does not exist; the routing stack writes the ARC cluster endpoints and routing-control ARNs there when it deploys (deploy it, or give routing.endpoints in the topology)`,
            );
          }
          throw error;
        }
      });
      const parsed = parseArcRoutingParameter(answer.Parameter?.Value, `SSM parameter ${name} in ${region}`);
      return { endpoints: parsed.endpoints, arnsByName: new Map(Object.entries(parsed.routingControls)) };
    })().catch((error: unknown) => {
      this.known = undefined;
      throw error;
    });
    return this.known;
  }

  private async arnOf(control: string): Promise<string> {
    if (control.startsWith('arn:')) return control;
    const known = await this.load();
    const fromParameter = known.arnsByName.get(control);
    if (fromParameter) return fromParameter;
    // Not in the parameter: ask the data plane (ListRoutingControls is served by the cluster endpoints too).
    this.listed ??= this.listOnDataPlane().catch((error: unknown) => {
      this.listed = undefined;
      throw error;
    });
    const listed = await this.listed;
    const arn = listed.get(control);
    if (!arn) {
      throw new NonRetriableError(
        `routing control "${control}" not found${this.options.controlPanelName ? ` in control panel "${this.options.controlPanelName}"` : ''}; found: ${[...listed.keys()].join(', ') || 'none'}`,
      );
    }
    return arn;
  }

  private async listOnDataPlane(): Promise<ReadonlyMap<string, string>> {
    const arns = new Map<string, string>();
    let token: string | undefined;
    do {
      const page = await this.onAnyEndpoint('ListRoutingControls', (client) =>
        client.send(new ListRoutingControlsCommand(token ? { NextToken: token } : {})),
      );
      for (const c of page.RoutingControls ?? []) {
        const panelMatches = !this.options.controlPanelName || c.ControlPanelName === this.options.controlPanelName;
        if (c.RoutingControlName && c.RoutingControlArn && panelMatches)
          arns.set(c.RoutingControlName, c.RoutingControlArn);
      }
      token = page.NextToken;
    } while (token);
    return arns;
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
          requestHandler: requestHandlerOptions(this.options.requestLimits ?? SHORT_REQUEST_LIMITS),
        });
      this.clients.set(endpoint.endpoint, client);
    }
    return client;
  }

  /** The endpoints in the order this request tries them: from a random one, then around the list. */
  private rotation(endpoints: readonly ArcEndpoint[]): ArcEndpoint[] {
    const start = Math.floor((this.options.random ?? Math.random)() * endpoints.length) % endpoints.length;
    return [...endpoints.slice(start), ...endpoints.slice(0, start)];
  }

  private async onAnyEndpoint<T>(
    what: string,
    request: (client: Route53RecoveryClusterClient) => Promise<T>,
  ): Promise<T> {
    const { endpoints } = await this.load();
    const failures: string[] = [];
    for (const endpoint of this.rotation(endpoints)) {
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
