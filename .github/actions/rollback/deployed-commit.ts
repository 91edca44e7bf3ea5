import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { AwsCallError, type AwsCaller } from '../cli-support/aws-retry';

export { DEPLOYED_COMMIT_OUTPUT } from './deployed-commit-output';

/**
 * The SSM parameter, in the Region rolled back, that marks a commit whose bake failed there: `record` never records
 * it afterwards (a "Re-run failed jobs" re-runs the bake with the same `GITHUB_SHA`).
 */
export function rolledBackParameterName(appName: string, envName: string, sha: string): string {
  return `/${appName}/${envName}/deploy/rolled-back/${sha}`;
}

/** The value of a rolled-back marker. */
export interface RolledBackMarker {
  readonly schemaVersion: 1;
  readonly sha: string;
  readonly region: string;
  /** When the rollback was planned (ISO 8601). */
  readonly at: string;
  /** The run whose bake failed, when known. */
  readonly runUrl?: string;
}

const markerSchema = z.object({
  schemaVersion: z.literal(1),
  sha: z.string(),
  region: z.string(),
  at: z.string(),
  runUrl: z.string().optional(),
});

/** Reads and writes the rolled-back markers of one Region. */
export class RolledBackStore {
  constructor(
    private readonly client: SSMClient,
    private readonly region: string,
    private readonly appName: string,
    private readonly envName: string,
    private readonly call: AwsCaller,
  ) {}

  /** Marks `marker.sha` as rolled back in this Region. */
  async mark(marker: RolledBackMarker): Promise<void> {
    const name = rolledBackParameterName(this.appName, this.envName, marker.sha);
    await this.call(`SSM PutParameter ${name} in ${this.region}`, () =>
      this.client.send(
        new PutParameterCommand({
          Name: name,
          Description: `Commit rolled back in ${this.region}: never recorded as known-good`,
          Value: JSON.stringify(marker),
          Type: 'String',
          Tier: 'Standard',
          Overwrite: true,
        }),
      ),
    );
  }

  /**
   * The marker of `sha`, or `undefined` when it was never rolled back here. A parameter that exists but cannot be
   * read as a marker still counts as one (fail closed), with what could be read.
   */
  async read(sha: string): Promise<RolledBackMarker | undefined> {
    const name = rolledBackParameterName(this.appName, this.envName, sha);
    let value: string | undefined;
    try {
      const result = await this.call(`SSM GetParameter ${name} in ${this.region}`, () =>
        this.client.send(new GetParameterCommand({ Name: name })),
      );
      value = result.Parameter?.Value;
    } catch (error) {
      if (error instanceof AwsCallError && (error.failure as { name?: string }).name === 'ParameterNotFound') {
        return undefined;
      }
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(value ?? '');
    } catch {
      parsed = undefined;
    }
    const marker = markerSchema.safeParse(parsed);
    return marker.success
      ? (marker.data as RolledBackMarker)
      : { schemaVersion: 1, sha, region: this.region, at: 'an unknown time' };
  }
}
