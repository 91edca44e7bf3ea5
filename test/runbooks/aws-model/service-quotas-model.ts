import { NoSuchResourceException } from '@aws-sdk/client-service-quotas';
import { serviceError } from './aws-errors';

type Input = Readonly<Record<string, unknown>>;

/** One applied quota value. */
export interface ModelQuota {
  readonly region: string;
  readonly serviceCode: string;
  readonly quotaCode: string;
  readonly name: string;
  value: number;
}

/**
 * Service Quotas: applied quota values per Region. GetServiceQuota "Retrieves the applied quota value for the
 * specified account-level or resource-level quota. … If the applied quota value is not available for a quota, the
 * quota is not retrieved." (Service Quotas API Reference, GetServiceQuota); a quota the model does not hold is
 * NoSuchResourceException ("The specified resource does not exist.", HTTP 400).
 */
export class ServiceQuotasModel {
  /** Keyed `<region>/<service code>/<quota code>`. */
  readonly quotas = new Map<string, ModelQuota>();
  /** AWS default values, keyed like {@link quotas}: what GetAWSDefaultServiceQuota answers. */
  readonly defaults = new Map<string, ModelQuota>();

  constructor(private readonly accountId: string) {}

  /** Sets (or adds) an applied quota value. */
  set(region: string, serviceCode: string, quotaCode: string, value: number, name = quotaCode): void {
    this.quotas.set(`${region}/${serviceCode}/${quotaCode}`, { region, serviceCode, quotaCode, name, value });
  }

  /** Forgets a quota (GetServiceQuota then answers NoSuchResourceException). */
  remove(region: string, serviceCode: string, quotaCode: string): void {
    this.quotas.delete(`${region}/${serviceCode}/${quotaCode}`);
  }

  /** Sets (or adds) a quota's AWS default value. */
  setDefault(region: string, serviceCode: string, quotaCode: string, value: number, name = quotaCode): void {
    this.defaults.set(`${region}/${serviceCode}/${quotaCode}`, { region, serviceCode, quotaCode, name, value });
  }

  /** GetServiceQuota by ServiceCode and QuotaCode. */
  getServiceQuota(input: Input, region: string): unknown {
    return this.answer(this.quotas, input, region);
  }

  /**
   * GetAWSDefaultServiceQuota by ServiceCode and QuotaCode: "Retrieves the default value for the specified quota. The
   * default value does not reflect any quota increases." (Service Quotas API Reference, GetAWSDefaultServiceQuota).
   */
  getAwsDefaultServiceQuota(input: Input, region: string): unknown {
    return this.answer(this.defaults, input, region);
  }

  private answer(from: ReadonlyMap<string, ModelQuota>, input: Input, region: string): unknown {
    const q = from.get(`${region}/${String(input.ServiceCode)}/${String(input.QuotaCode)}`);
    if (!q) throw serviceError(NoSuchResourceException, 'The specified resource does not exist.');
    return {
      Quota: {
        ServiceCode: q.serviceCode,
        QuotaCode: q.quotaCode,
        QuotaArn: `arn:aws:servicequotas:${region}:${this.accountId}:${q.serviceCode}/${q.quotaCode}`,
        QuotaName: q.name,
        Value: q.value,
        Unit: 'None',
        Adjustable: true,
        GlobalQuota: false,
      },
    };
  }
}
