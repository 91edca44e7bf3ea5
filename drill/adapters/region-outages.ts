import { RetriableError } from '../../runbooks/core/errors';

/**
 * Which simulated Regions are down. A Region that is down answers no API call (its RDS endpoint, its services),
 * as on AWS; the ARC data plane and the other Region keep answering.
 */
export class RegionOutages {
  private readonly down = new Set<string>();

  /** Marks `region` as failed. */
  fail(region: string): void {
    this.down.add(region);
  }

  /** Marks `region` as back. */
  restore(region: string): void {
    this.down.delete(region);
  }

  isDown(region: string): boolean {
    return this.down.has(region);
  }

  /** Throws the error an API of a failed Region gives: no answer (retriable: it may come back). */
  requireUp(region: string, api: string): void {
    if (this.down.has(region)) throw new RetriableError(`the ${api} API of ${region} does not answer (Region down)`);
  }
}
