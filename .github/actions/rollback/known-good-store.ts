import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { AwsCallError, type AwsCaller } from '../cli-support/aws-retry';
import { CheckFailedError } from '../cli-support/exit-codes';
import { type KnownGoodRecord, parseKnownGoodRecord } from './known-good-record';

/** The largest value a standard SSM parameter holds (4 KB); a larger record makes its parameter advanced. */
export const STANDARD_PARAMETER_BYTES = 4096;

/** Reads and writes a Region's known-good record in its SSM parameter. */
export class KnownGoodStore {
  constructor(
    private readonly client: SSMClient,
    private readonly region: string,
    private readonly parameterName: string,
    private readonly call: AwsCaller,
    private readonly description = `Last known-good deploy in ${region}: commit and application stacks to redeploy on rollback`,
  ) {}

  /** Writes the record (a new version of the parameter); returns the parameter version. */
  async write(record: KnownGoodRecord): Promise<number | undefined> {
    const value = JSON.stringify(record);
    const result = await this.call(`SSM PutParameter ${this.parameterName} in ${this.region}`, () =>
      this.client.send(
        new PutParameterCommand({
          Name: this.parameterName,
          Description: this.description,
          Value: value,
          Type: 'String',
          // A record with many images may outgrow a standard parameter. SSM: "Standard parameters have a value
          // limit of 4 KB. Advanced parameters have a value limit of 8 KB." (PutParameter API reference, Value).
          // Not 'Standard' for the smaller records: "You can change a standard parameter to an advanced parameter
          // at any time, but you can't revert an advanced parameter to a standard parameter." (Systems Manager
          // User Guide, Managing parameter tiers), so once one record needed the advanced tier, every later write
          // asking for 'Standard' would be refused. Intelligent-Tiering: "Parameter Store evaluates each request
          // and selects the appropriate tier" (Specifying a default parameter tier): standard while the records
          // fit, advanced from the first one that does not (review-12 D8). That a smaller write to an advanced
          // parameter then keeps it advanced, rather than failing, is what "can't revert" implies; no SSM page
          // states that case for Intelligent-Tiering (unverified).
          Tier: 'Intelligent-Tiering',
          Overwrite: true,
        }),
      ),
    );
    return result.Version;
  }

  /**
   * Reads the record; `undefined` when the parameter does not exist (nothing has passed a bake in this Region yet).
   *
   * @throws CheckFailedError when the parameter holds something that is not a valid record of this Region.
   */
  async read(): Promise<KnownGoodRecord | undefined> {
    let value: string | undefined;
    try {
      const result = await this.call(`SSM GetParameter ${this.parameterName} in ${this.region}`, () =>
        this.client.send(new GetParameterCommand({ Name: this.parameterName })),
      );
      value = result.Parameter?.Value;
    } catch (error) {
      if (error instanceof AwsCallError && (error.failure as { name?: string }).name === 'ParameterNotFound') {
        return undefined;
      }
      throw error;
    }
    const parsed = parseKnownGoodRecord(value ?? '', this.region);
    if ('problems' in parsed) {
      throw new CheckFailedError(
        `The known-good record in SSM parameter ${this.parameterName} (${this.region}) is invalid, so there is no safe version to roll back to:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
    return parsed.record;
  }
}
