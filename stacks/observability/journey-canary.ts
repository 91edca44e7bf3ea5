import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';

/**
 * The Synthetics runtime of the shop's canaries. aws-cdk-lib names runtimes up to 13.0; 13.1 moved the modules to
 * new names, which journey.js uses: "Starting Synthetics syn-nodejs-puppeteer-13.1 and later, Synthetics runtime
 * uses the new namespace ... Legacy namespaces will be deprecated in a future release."
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_Library_nodejs_puppeteer.html)
 */
export const CANARY_RUNTIME = new synthetics.Runtime('syn-nodejs-puppeteer-13.1', synthetics.RuntimeFamily.NODEJS);

/** The journey script, read once: the same code runs in every canary, only `TARGET_URL` differs. */
const JOURNEY_SCRIPT = fs.readFileSync(path.join(__dirname, 'canary', 'journey.js'), 'utf8');

/** Properties of a {@link JourneyCanary}. */
export interface JourneyCanaryProps {
  /**
   * The canary's name (lowercase, at most 21 characters), looked up by the pipeline's bake gate.
   *
   * @default - a name generated from the construct path
   */
  readonly canaryName?: string;
  /** The shop URL the journey starts from (`TARGET_URL`), e.g. `https://www.shop.example.com`. */
  readonly targetUrl: string;
  /**
   * The synthetic shopper's token, which the journey reads by name at each run (`SYNTHETIC_SHOPPER_SECRET_ID`) and
   * sends to the ui, so that the order it places is marked synthetic. The canary may read this secret only.
   */
  readonly syntheticShopperToken: secretsmanager.ISecret;
  /** The token secret's name (the same in both Regions: the standby holds a replica). */
  readonly syntheticShopperSecretName: string;
  /** How often the canary runs. */
  readonly rate: Duration;
  /** Where run artifacts (screenshots, HAR files, logs) go. */
  readonly artifactsBucket: s3.IBucket;
  /** Key prefix of this canary's artifacts. */
  readonly artifactsPrefix: string;
  /**
   * Whether TLS certificate errors are ignored: for a URL whose host is not the certificate's name, such as a
   * load balancer's own DNS name.
   *
   * @default false
   */
  readonly ignoreCertificateErrors?: boolean;
  /**
   * Runs the canary inside this VPC, in its private subnets with egress (the canary still calls CloudWatch and S3),
   * wearing `securityGroups`: needed when the target is only reachable from the VPC, such as an internal load
   * balancer.
   *
   * @default - the canary runs outside any VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Security groups of the canary's network interfaces; only with `vpc`.
   *
   * @default - a security group is created
   */
  readonly securityGroups?: readonly ec2.ISecurityGroup[];
}

/**
 * A canary that walks the shopper journey against one URL, as the synthetic shopper: home → catalog → product → add
 * to cart → cart → checkout → place order → order confirmation. Each run places one real order, marked synthetic
 * (`canary/journey.js`).
 */
export class JourneyCanary extends Construct {
  /** The canary. */
  readonly canary: synthetics.Canary;

  constructor(scope: Construct, id: string, props: JourneyCanaryProps) {
    super(scope, id);
    this.canary = new synthetics.Canary(this, 'Canary', {
      canaryName: props.canaryName,
      runtime: CANARY_RUNTIME,
      test: synthetics.Test.custom({ code: synthetics.Code.fromInline(JOURNEY_SCRIPT), handler: 'index.handler' }),
      schedule: synthetics.Schedule.rate(props.rate),
      environmentVariables: {
        TARGET_URL: props.targetUrl,
        IGNORE_CERTIFICATE_ERRORS: String(props.ignoreCertificateErrors ?? false),
        // The name, not the token: the journey reads the value with GetSecretValue at each run, so the token is in
        // neither the script nor the canary's configuration. CloudWatch's "Security considerations for Synthetics
        // canaries": "If you pass your canary code directly into the canary using a zip file, the contents of the
        // script can be seen in AWS CloudTrail logs", and it points to AWS Secrets Manager for secrets.
        SYNTHETIC_SHOPPER_SECRET_ID: props.syntheticShopperSecretName,
      },
      artifactsBucketLocation: { bucket: props.artifactsBucket, prefix: props.artifactsPrefix },
      timeout: Duration.minutes(1),
      successRetentionPeriod: Duration.days(7),
      failureRetentionPeriod: Duration.days(31),
      startAfterCreation: true,
      ...(props.vpc
        ? {
            vpc: props.vpc,
            vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: props.securityGroups ? [...props.securityGroups] : undefined,
          }
        : {}),
    });
    props.syntheticShopperToken.grantRead(this.canary.role);
  }
}
