import { messageOf } from '../core/errors';
import type { DeployedCommitFacts } from '../ports';
import { checkRegions } from './check-regions';
import type { Assessment, ReadinessContext } from './readiness-check';

/** What a parity check found before release awareness: its failures are the differences between the Regions. */
export interface ParityFindings {
  readonly failures: readonly string[];
  readonly notes: readonly string[];
  readonly unknowns?: readonly string[];
  readonly evidence: Readonly<Record<string, unknown>>;
  /**
   * Set when every difference is one Region running earlier images beside the other's (an ECS rolling deployment
   * replacing its tasks): the Region whose digests are the superset. Only image-parity can tell.
   */
  readonly rollingRegion?: string;
}

type ReadCommit = { readonly commit: DeployedCommitFacts } | { readonly unread: string };

async function readCommit(ctx: ReadinessContext, region: string): Promise<ReadCommit> {
  const parameterName = ctx.topology.regions[region]?.deployedCommitParameterName;
  if (!parameterName) return { unread: 'no deployedCommitParameterName in the topology' };
  try {
    const commit = await ctx.ports.facts.deployedCommit(region, parameterName);
    return commit ? { commit } : { unread: 'parameter not found' };
  } catch (error) {
    return { unread: messageOf(error) };
  }
}

const iso = (date: Date) => date.toISOString();

/**
 * Release awareness of the parity checks. A release deploys one Region, bakes it, then deploys the other: in between
 * the Regions differ by design. When a parity check found differences, this reads each Region's deployed commit (the
 * services stack's `deployed-commit` SSM parameter) and tolerates the differences (GREEN, each difference kept as a
 * note) only while the two Regions report different commits AND the newer deploy is younger than
 * `readiness.releaseGraceMinutes`. Equal commits (drift without a release), a release older than the grace, or a
 * commit that cannot be read leave the failures as they are (fail closed); a commit that cannot be read is named as
 * unknown. The evidence records both commits and the window under `release`. Without failures nothing is read.
 */
export async function withReleaseGrace(ctx: ReadinessContext, findings: ParityFindings): Promise<Assessment> {
  if (findings.failures.length === 0) return findings;
  const { target, other } = checkRegions(ctx);
  const graceMinutes = ctx.topology.readiness.releaseGraceMinutes;
  const [a, b] = await Promise.all([readCommit(ctx, target), readCommit(ctx, other)]);
  const unread = (
    [
      [target, a],
      [other, b],
    ] as const
  ).flatMap(([region, read]) => {
    if (!('unread' in read)) return [];
    const parameter = ctx.topology.regions[region]?.deployedCommitParameterName;
    return [
      `deployed commit of ${region}${parameter ? ` (${parameter})` : ''} could not be read: ${read.unread}; the difference is not excused as a release`,
    ];
  });
  const shown = (read: ReadCommit) =>
    'commit' in read ? { commit: read.commit.commit, since: iso(read.commit.since) } : null;
  const release: Record<string, unknown> = { graceMinutes, [target]: shown(a), [other]: shown(b) };
  if (!('commit' in a) || !('commit' in b)) {
    return {
      ...findings,
      unknowns: [...(findings.unknowns ?? []), ...unread],
      evidence: { ...findings.evidence, release: { ...release, tolerated: false } },
    };
  }
  const sides = [
    { region: target, ...a.commit },
    { region: other, ...b.commit },
  ];
  if (a.commit.commit === b.commit.commit) {
    const rollout = rolloutInProgress(ctx, findings, sides, graceMinutes);
    if (rollout) return rollout;
    return {
      ...findings,
      notes: [
        ...findings.notes,
        `not a release in progress: both Regions report deployed commit ${a.commit.commit} (${sides.map((s) => `${s.region} since ${iso(s.since)}`).join(', ')}): the difference is drift`,
      ],
      evidence: { ...findings.evidence, release: { ...release, tolerated: false } },
    };
  }
  const [newer, older] = sides[0]!.since.getTime() >= sides[1]!.since.getTime() ? sides : [sides[1]!, sides[0]!];
  const until = new Date(newer!.since.getTime() + graceMinutes * 60_000);
  const tolerated = ctx.ports.clock.now().getTime() < until.getTime();
  const evidence = { ...findings.evidence, release: { ...release, tolerated, toleratedUntil: iso(until) } };
  const grace = `(readiness.releaseGraceMinutes: ${graceMinutes} after the newer deploy)`;
  if (!tolerated) {
    return {
      ...findings,
      notes: [
        ...findings.notes,
        `not a release in progress: ${newer!.region} deployed commit ${newer!.commit} at ${iso(newer!.since)}, ${older!.region} runs commit ${older!.commit}; a difference is tolerated only until ${iso(until)} ${grace}`,
      ],
      evidence,
    };
  }
  return {
    failures: [],
    unknowns: findings.unknowns ?? [],
    notes: [
      `release in progress: ${newer!.region} deployed commit ${newer!.commit} at ${iso(newer!.since)}, ${older!.region} still runs commit ${older!.commit} (deployed at ${iso(older!.since)}); the difference is tolerated until ${iso(until)} ${grace}`,
      ...findings.failures.map((failure) => `tolerated during the release: ${failure}`),
      ...findings.notes,
    ],
    evidence,
  };
}

/**
 * Equal commits in both Regions, and every difference is the Region deployed last still running earlier images beside
 * the new ones (its stack, and so its parameter, is updated before ECS has replaced every task): tolerated within the
 * grace after that deploy, like a release between the Regions. Undefined when it is not that case.
 */
function rolloutInProgress(
  ctx: ReadinessContext,
  findings: ParityFindings,
  sides: readonly { readonly region: string; readonly commit: string; readonly since: Date }[],
  graceMinutes: number,
): Assessment | undefined {
  const rolling = sides.find((side) => side.region === findings.rollingRegion);
  const newest = Math.max(...sides.map((side) => side.since.getTime()));
  if (!rolling || rolling.since.getTime() !== newest) return undefined;
  const until = new Date(rolling.since.getTime() + graceMinutes * 60_000);
  if (ctx.ports.clock.now().getTime() >= until.getTime()) return undefined;
  const release = {
    graceMinutes,
    ...Object.fromEntries(sides.map((s) => [s.region, { commit: s.commit, since: iso(s.since) }])),
    tolerated: true,
    rollout: true,
    toleratedUntil: iso(until),
  };
  return {
    failures: [],
    unknowns: findings.unknowns ?? [],
    notes: [
      `rollout in progress: both Regions report deployed commit ${rolling.commit} and ${rolling.region} (deployed at ${iso(rolling.since)}) still runs earlier images beside them; tolerated until ${iso(until)} (readiness.releaseGraceMinutes: ${graceMinutes} after the newer deploy)`,
      ...findings.failures.map((failure) => `tolerated during the rollout: ${failure}`),
      ...findings.notes,
    ],
    evidence: { ...findings.evidence, release },
  };
}
