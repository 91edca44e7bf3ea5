import { messageOf } from '../core/errors';
import { within } from '../core/within';
import type { RunbookPorts } from '../ports';
import type { Topology } from '../topology';
import type { ReadinessRecord } from './readiness-record';

/** The other Region's peak running task counts as a readiness record keeps them. */
export type OtherRegionPeak = NonNullable<ReadinessRecord['otherRegionPeak']>;

/**
 * `region`'s peak running task count per service over the readiness window (`readiness.peakWindowHours`), as far as it
 * answers within `budgetMs`: what a readiness record keeps so that a failover can scale to it once that Region's
 * CloudWatch no longer answers. Counts are whole, finite and not negative. `peak` is undefined, and `problem` says
 * why, when the Region lists no service, did not answer in time, failed, or has no data point.
 */
export async function readOtherRegionPeak(
  topology: Topology,
  region: string,
  ports: Pick<RunbookPorts, 'facts' | 'clock'>,
  budgetMs: number,
): Promise<{ readonly peak?: OtherRegionPeak; readonly problem?: string }> {
  const settings = topology.regions[region];
  const hours = topology.readiness.peakWindowHours;
  if (!settings?.ecsClusterName || settings.services.length === 0) {
    return { problem: `${region} lists no ECS services in the topology` };
  }
  if (budgetMs <= 0) return { problem: `not read from ${region}: no time left for it` };
  try {
    const read = await within(
      budgetMs,
      ports.facts.peakRunningTasks(region, settings.ecsClusterName, settings.services, hours),
    );
    if (!read.done) return { problem: `not read from ${region}: no answer within ${Math.ceil(budgetMs / 1000)} s` };
    const tasks = Object.fromEntries(
      Object.entries(read.value)
        .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]))
        .map(([service, count]) => [service, Math.max(0, Math.ceil(count))]),
    );
    if (Object.keys(tasks).length === 0) {
      return { problem: `${region} has no RunningTaskCount data point in the last ${hours} h` };
    }
    return { peak: { region, hours, measuredAt: ports.clock.now().toISOString(), tasks } };
  } catch (error) {
    return { problem: `not read from ${region}: ${messageOf(error)}` };
  }
}
