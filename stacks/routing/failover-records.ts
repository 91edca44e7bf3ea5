import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

/** A Region's load balancer as a Route 53 alias target. */
export interface RegionalEndpoint {
  /** The Region. */
  readonly region: string;
  /** The load balancer's DNS name. */
  readonly dnsName: string;
  /** The load balancer's canonical hosted zone id. */
  readonly hostedZoneId: string;
  /**
   * The health check that takes the Region out of DNS.
   *
   * @default - none: the record is only as healthy as its alias target
   */
  readonly healthCheck?: route53.IHealthCheck;
}

/** Properties of {@link FailoverRecords}. */
export interface FailoverRecordsProps {
  /** The zone the records go into. */
  readonly zone: route53.IHostedZone;
  /** The record name relative to the zone, e.g. `www`. */
  readonly recordName: string;
  /** The primary Region's endpoint (answers while healthy). */
  readonly primary: RegionalEndpoint;
  /** The standby Region's endpoint (answers when the primary is unhealthy). */
  readonly standby: RegionalEndpoint;
}

/**
 * A PRIMARY and a SECONDARY failover alias record for the shop's name, one per Region, each with its Region's
 * health check; the alias also evaluates the load balancer's own target health.
 *
 * Target health stays evaluated (CDK refuses a failover alias record without it). The one case it changes: the
 * standby's routing control On, the primary's Off, and no healthy target behind the standby's load balancer; then
 * both records are unhealthy and Route 53 "considers all the records in the group to be healthy"
 * (health-checks-how-route-53-chooses-records.html) and answers with the primary. No Region can serve then, so
 * answering with either is no worse; the standby's canary alarm is what pages.
 */
export class FailoverRecords extends Construct {
  /** The record pointing at the primary Region. */
  readonly primary: route53.ARecord;
  /** The record pointing at the standby Region. */
  readonly standby: route53.ARecord;

  constructor(scope: Construct, id: string, props: FailoverRecordsProps) {
    super(scope, id);
    const record = (recordId: string, endpoint: RegionalEndpoint, failover: route53.Failover) =>
      new route53.ARecord(this, recordId, {
        zone: props.zone,
        recordName: props.recordName,
        setIdentifier: endpoint.region,
        failover,
        healthCheck: endpoint.healthCheck,
        target: route53.RecordTarget.fromAlias({
          bind: () => ({ dnsName: endpoint.dnsName, hostedZoneId: endpoint.hostedZoneId, evaluateTargetHealth: true }),
        }),
      });
    this.primary = record('Primary', props.primary, route53.Failover.PRIMARY);
    this.standby = record('Standby', props.standby, route53.Failover.SECONDARY);
  }
}
