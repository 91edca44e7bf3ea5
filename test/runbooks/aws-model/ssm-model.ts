import { ParameterAlreadyExists, ParameterNotFound } from '@aws-sdk/client-ssm';
import { serviceError } from './aws-errors';
import type { Timeline } from './model-timeline';

/** One SSM parameter. */
export interface SsmParameter {
  readonly name: string;
  readonly value: string;
  readonly type: string;
  readonly version: number;
  readonly lastModified: Date;
}

type Input = Readonly<Record<string, unknown>>;

/** SSM Parameter Store, one store per Region (parameters are Regional). */
export class SsmModel {
  /** Keyed `<region>/<name>`. */
  readonly parameters = new Map<string, SsmParameter>();

  constructor(
    private readonly timeline: Timeline,
    private readonly accountId: string,
  ) {}

  /** Writes a parameter directly (seeding), bumping its version. */
  put(region: string, name: string, value: string, type = 'String'): SsmParameter {
    const version = (this.parameters.get(`${region}/${name}`)?.version ?? 0) + 1;
    const parameter = { name, value, type, version, lastModified: this.timeline.date() };
    this.parameters.set(`${region}/${name}`, parameter);
    return parameter;
  }

  /**
   * GetParameter: a missing parameter is ParameterNotFound
   * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html, Errors).
   */
  getParameter(input: Input, region: string): unknown {
    const name = String(input.Name ?? '');
    const found = this.parameters.get(`${region}/${name}`);
    if (!found) throw serviceError(ParameterNotFound, `Parameter ${name} not found.`);
    return {
      Parameter: {
        Name: found.name,
        Type: found.type,
        Value: found.value,
        Version: found.version,
        LastModifiedDate: found.lastModified,
        ARN: `arn:aws:ssm:${region}:${this.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
        DataType: 'text',
      },
    };
  }

  /**
   * PutParameter: an existing name without `Overwrite: true` is ParameterAlreadyExists ("The parameter already
   * exists. You can't create duplicate parameters." — API_PutParameter, Errors).
   */
  putParameter(input: Input, region: string): unknown {
    const name = String(input.Name ?? '');
    if (this.parameters.has(`${region}/${name}`) && input.Overwrite !== true) {
      throw serviceError(
        ParameterAlreadyExists,
        "The parameter already exists. You can't create duplicate parameters.",
      );
    }
    const parameter = this.put(region, name, String(input.Value ?? ''), String(input.Type ?? 'String'));
    return { Version: parameter.version, Tier: 'Standard' };
  }
}
