import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDrillPorts, type DrillPorts } from '../../drill/adapters/drill-ports';
import { Resources } from '../../drill/resources';
import { TwoRegionShop } from '../../drill/two-region-shop';

/** The two Regions the drill tests run. */
export const EAST = 'us-east-1';
export const WEST = 'us-west-2';

/** A running two-Region drill shop with the drill's runbook ports, and how to stop it. */
export interface RunningShop {
  readonly work: string;
  readonly resources: Resources;
  readonly shop: TwoRegionShop;
  readonly drill: DrillPorts;
  stop(): Promise<void>;
}

/**
 * Starts the drill's two-Region shop (2 Postgres pairs with streaming replication, 2 dynalite, 2 × 5 services, the
 * canary alarms) in a fresh folder named `<prefix>…` (short: the Postgres Unix sockets live below it), with the
 * drill's runbook ports journaling and reporting below it. `stop` stops everything and removes the folder.
 */
export async function startRunningShop(prefix: string): Promise<RunningShop> {
  const work = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(work, 0o755);
  const resources = new Resources();
  const stop = async () => {
    await resources.stopAll();
    await rm(work, { recursive: true, force: true });
  };
  try {
    const shop = await TwoRegionShop.start({
      workDir: work,
      primaryRegion: EAST,
      standbyRegion: WEST,
      resources,
      onEvent: () => undefined,
      canary: true,
    });
    const drill = createDrillPorts(shop, {
      journalDir: path.join(work, 'runbook', 'journal'),
      reportsDir: path.join(work, 'runbook', 'reports'),
      workDir: work,
      track: (name, server) => resources.add(name, () => server.stop()),
    });
    return { work, resources, shop, drill, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
