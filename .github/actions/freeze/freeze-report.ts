import type { JobSummary, SummaryBlock } from '../cli-support/job-summary';
import type { FreezeDecision, FreezeWrite, RegionFreeze } from './freeze-store';

/**
 * How to lift the freeze, as a command line for a terminal with credentials in both Regions of a role that may write
 * the freeze parameter: the failover role or the break-glass role (the deploy role may only read it).
 */
export function clearCommand(regions: readonly string[], appName: string, envName: string): string {
  return `INPUT_COMMAND=clear INPUT_REGIONS=${regions.join(',')} INPUT_APP_NAME=${appName} INPUT_ENV_NAME=${envName} INPUT_REASON='<why deploys may resume>' node .github/actions/dist/freeze.cjs`;
}

function detail(region: RegionFreeze): string {
  switch (region.state) {
    case 'absent':
      return 'no freeze record';
    case 'cleared':
      return `lifted at ${region.record.at}: ${region.record.reason}`;
    case 'frozen':
      return `${region.record.action} to ${region.record.targetRegion} at ${region.record.at}: ${region.record.reason}`;
    case 'invalid':
      return `not a freeze record (treated as frozen): ${region.problems.join('; ')}`;
    case 'unreadable':
      return region.error;
  }
}

const regionTable = (regions: readonly RegionFreeze[]) => ({
  header: ['Region', 'state', 'detail'],
  rows: regions.map((r) => [r.region, r.state, detail(r)]),
});

/** Why deploys are frozen, one sentence, naming the failover and its run. */
export function frozenMessage(decision: FreezeDecision, clear: string): string {
  const frozen = decision.regions.flatMap((r) => (r.state === 'frozen' ? [r] : []));
  const first = frozen[0];
  const what = first
    ? `${first.record.action} to ${first.record.targetRegion} (set ${first.record.at}${first.record.runUrl ? ` by ${first.record.runUrl}` : ''}): ${first.record.reason}`
    : `the freeze parameter holds something that is not a freeze record in ${decision.regions
        .filter((r) => r.state === 'invalid')
        .map((r) => r.region)
        .join(', ')}`;
  return `Deploys are frozen by a ${what}. A deploy waits until a failback succeeds (it lifts the freeze). To lift the freeze by hand once the Regions are back where the pipeline deploys them, with the failover or break-glass role (the deploy role may only read it): ${clear}`;
}

/** The job summary of `check`. */
export function checkSummary(decision: FreezeDecision, message: string | undefined): JobSummary {
  const result = {
    'not-frozen': 'Result: not frozen; deploys may start',
    frozen: 'Result: FROZEN; deploys must not start',
    undecided:
      'Result: could not decide (a Region could not be read and no other holds a freeze); deploys must not start',
  }[decision.decision];
  const blocks: SummaryBlock[] = [result];
  if (message) blocks.push(message);
  const run = decision.regions.flatMap((r) => (r.state === 'frozen' && r.record.runUrl ? [r.record.runUrl] : []))[0];
  if (run) blocks.push({ label: 'Failover run', href: run });
  blocks.push(regionTable(decision.regions));
  return { title: 'Deploy freeze', blocks };
}

/** The job summary of `set` or `clear`. */
export function writeSummary(command: 'set' | 'clear', what: string, write: FreezeWrite): JobSummary {
  const blocks: SummaryBlock[] = [
    write.written.length === 0
      ? `Result: FAILED in every Region`
      : `Result: ${command === 'set' ? 'set' : 'cleared'} in ${write.written.join(', ')}${write.failed.length > 0 ? `; NOT in ${write.failed.map((f) => f.region).join(', ')}` : ''}`,
    what,
    {
      header: ['Region', 'written', 'error'],
      rows: [
        ...write.written.map((region) => [region, 'yes', '']),
        ...write.failed.map((f) => [f.region, 'no', f.error]),
      ],
    },
  ];
  return { title: command === 'set' ? 'Deploy freeze set' : 'Deploy freeze lifted', blocks };
}

/**
 * The job summary of a run that ended before its own summary: invalid inputs (`problems`: exit 2, nothing read or
 * written) or an unexpected error (its message). `command` is the raw input, which may be invalid.
 */
export function stoppedSummary(command: string, stop: readonly string[] | string): JobSummary {
  const what = `Deploy freeze ${command || '(no command)'}`;
  if (typeof stop === 'string') {
    return { title: `${what}: failed`, blocks: ['Result: failed before it could decide or write (see the log)', stop] };
  }
  return {
    title: `${what}: inputs invalid, nothing read or written`,
    blocks: [
      'Result: invalid inputs; no AWS call was made (exit 2)',
      { header: ['problem'], rows: stop.map((problem) => [problem]) },
    ],
  };
}
