import { createHash } from 'node:crypto';
import { messageOf } from '../core/errors';
import { buildEvidencePack, EVIDENCE_FILES, type EvidenceEvent, type EvidenceInput } from '../evidence/evidence-pack';
import type { AcknowledgedWrite } from '../scoring/acknowledged-write';
import { firstCheckoutOnNewPrimary } from '../scoring/recovery-times';
import { type DatabaseReport, parseScoredReport, type RunTimeline } from '../scoring/score-input';
import { scoreRun } from '../scoring/score-run';
import { experimentState, readExperiment } from './experiment-state';
import { type GameDayLedger, ledgerOrders, readGameDayLedger } from './gameday-ledger';
import type { GameDayVerdict, PhaseOutcome } from './gameday-phases';
import type { Experiment, HeldOrder } from './gameday-ports';
import { evidencePrefix, type GameDayRecord } from './gameday-record';
import { finish, type PhaseContext } from './run-gameday-phase';

/** Which report classes each kind of acknowledged write exercises. */
const UNEXERCISED_CLASS: readonly (readonly [AcknowledgedWrite['kind'], string])[] = [
  ['order_placed', 'lost inserts'],
  ['order_cancelled', 'lost updates (cancels)'],
  ['address_changed', 'lost updates (addresses) and conflicts'],
  ['order_replaced', 'possible duplicates'],
];

/** Everything the score reads from AWS for one game day. */
export interface GameDayScoreData {
  readonly ledger: GameDayLedger;
  readonly newPrimary: Readonly<Record<string, HeldOrder>>;
  /** report.json of each database as recover stored it (parsed JSON), by database. */
  readonly reports: readonly {
    readonly database: string;
    readonly where: string;
    readonly json: unknown;
    /** SHA-256 of the report's text as read (review 16c S12). */
    readonly sha256: string;
  }[];
  readonly timeline: RunTimeline;
  readonly rpoLagBeforeFaultMs: number | null;
  /** The experiment as FIS has it at the score (its status, reason and end), when it could be read. */
  readonly experiment?: Experiment;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Why the fault does not count, from the experiment as FIS has it now (review 16c S3): it ended `failed` or
 * `cancelled` (an action could not run), it was `stopped` by its stop condition, or it ended (any status) before
 * every writer moved (the failover was not made under the fault). An experiment still running, or stopped or
 * completed after the writers moved, counts. FIS User Guide, "Manage your AWS FIS experiments"
 * (https://docs.aws.amazon.com/fis/latest/userguide/experiments.html, read in its Chinese translation): an
 * experiment ends when all actions completed, a stop condition triggered, an error made an action unable to
 * complete (e.g. no target found), or it was stopped manually. That a stop condition's `reason` names "stop
 * condition" is unverified (no doc gives the text); an unmatched one is still caught when it ended before the
 * writers moved.
 */
export function faultProblems(
  experiment: Experiment,
  firedAt: string,
  writersMovedAt: string | null,
): string | undefined {
  if (!['completed', 'stopped', 'failed', 'cancelled'].includes(experiment.status)) return undefined;
  const ended = experiment.endedAt ? experiment.endedAt.toISOString() : undefined;
  const how = `ended ${experiment.status}${experiment.reason ? ` (${experiment.reason})` : ''}${ended ? ` at ${ended}` : ''}`;
  const lasted = ended ? `the fault lasted ${seconds(Date.parse(ended) - Date.parse(firedAt))} and ` : 'the fault ';
  if (ended && writersMovedAt && Date.parse(ended) < Date.parse(writersMovedAt)) {
    return `${lasted}${how}, before the writers moved at ${writersMovedAt}: the failover was not made under the fault`;
  }
  const byStopCondition = experiment.status === 'stopped' && /stop condition/i.test(experiment.reason ?? '');
  if (experiment.status === 'failed' || experiment.status === 'cancelled' || byStopCondition) {
    return `${lasted}${how}: it did not run as planned`;
  }
  return undefined;
}

/**
 * Reads what the score judges: every ledger object of the game day from both report buckets, what the Region
 * now serving holds for each acknowledged order, recover's stored report of each database, the timeline from the
 * record and the ledger, and `AuroraGlobalDBRPOLag` before the fault. Returns the reasons it could not instead.
 */
export async function readScoreData(
  ctx: PhaseContext,
  record: GameDayRecord,
): Promise<{ data?: GameDayScoreData; missing: string[] }> {
  const { input, ports } = ctx;
  const missing: string[] = [];
  let ledger: GameDayLedger;
  try {
    ledger = await readGameDayLedger(ports.buckets, input, ports.clock.now());
  } catch (error) {
    return { missing: [`the acknowledgment ledger could not be read: ${messageOf(error)}`] };
  }
  // Acknowledgments that may be missing make the ledger incomplete: the score cannot tell lost from unreported.
  missing.push(...ledger.incomplete.map((why) => `the acknowledgment ledger is incomplete: ${why}`));
  if (ledger.acks.length === 0) missing.push('traffic never flowed: the ledger holds no acknowledged write');
  const stoppedAt = record.traffic?.stoppedAt;
  const failoverEnd = record.failover?.endedAt;
  if (stoppedAt && (!failoverEnd || Date.parse(stoppedAt) < Date.parse(failoverEnd))) {
    missing.push(
      `the shoppers were stopped at ${stoppedAt} (a clean-up) before the failover ended: whether shoppers could buy after it cannot be judged`,
    );
  }
  const newPrimary =
    ledger.acks.length > 0 ? await ports.orders.lookup(input.survivingRegion, ledgerOrders(ledger.acks)) : {};
  const reports: { database: string; where: string; json: unknown; sha256: string }[] = [];
  if (!record.recover) missing.push('no recover execution recorded: run recover first');
  else {
    for (const database of ports.regions.databases()) {
      const key = `${record.recover.reportPrefix}${database}/report.json`;
      const where = `s3 report bucket of ${input.survivingRegion}: ${key}`;
      const text = await ports.buckets.get(input.survivingRegion, key);
      if (text === undefined) {
        missing.push(`the missing-transaction report of ${database} is not at ${where}`);
        continue;
      }
      try {
        reports.push({
          database,
          where,
          json: JSON.parse(text),
          sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
        });
      } catch {
        missing.push(`${where} is not JSON`);
      }
    }
  }
  const faultInjectedAt = record.experiment?.firedAt ?? null;
  let experiment: Experiment | undefined;
  if (record.experiment && faultInjectedAt) {
    experiment = await readExperiment(ctx, record.experiment);
    if (!experiment) {
      missing.push(
        `FIS experiment ${record.experiment.id} in ${record.experiment.region} could not be read: whether the fault lasted until the writers moved is not known`,
      );
    } else {
      const problem = faultProblems(experiment, faultInjectedAt, record.failover?.writersMovedAt ?? null);
      if (problem) missing.push(problem);
    }
  }
  let rpoLagBeforeFaultMs: number | null = null;
  let detectedAt: string | null = null;
  if (faultInjectedAt) {
    try {
      // The surviving Region's canary against the public name sees the failed Region's loss.
      const at = await ports.regions.detectedAt(input.survivingRegion, new Date(faultInjectedAt));
      detectedAt = at ? at.toISOString() : null;
    } catch (error) {
      ports.log(`the detection time could not be read: ${messageOf(error)}`);
    }
    try {
      rpoLagBeforeFaultMs = await ports.regions.rpoLagBeforeMs(input.survivingRegion, new Date(faultInjectedAt));
    } catch (error) {
      ports.log(`AuroraGlobalDBRPOLag before the fault could not be read: ${messageOf(error)}`);
    }
  }
  return {
    missing,
    data: {
      ledger,
      newPrimary,
      reports,
      timeline: {
        faultInjectedAt,
        firstFailureAt: null,
        detectedAt,
        decidedAt: record.failover?.startedAt ?? null,
        trafficMovedAt: record.failover?.trafficMovedAt ?? null,
        writersMovedAt: record.failover?.writersMovedAt ?? null,
        // The end of RTO: the surviving Region's first checkout on the new primary after the writers moved
        // (review 16c S4), not any acknowledgment after the fault (the failed Region may still acknowledge).
        firstCheckoutAt: firstCheckoutOnNewPrimary(ledger.acks, newPrimary, input.survivingRegion, {
          faultInjectedAt,
          writersMovedAt: record.failover?.writersMovedAt ?? null,
        }),
      },
      rpoLagBeforeFaultMs,
      ...(experiment ? { experiment } : {}),
    },
  };
}

/** Why the fault was injected as it was, for the evidence pack. */
function faultOf(record: GameDayRecord): EvidenceInput['fault'] {
  const experiment = record.experiment;
  return {
    description: `${record.failedRegion} isolated from ${record.survivingRegion} and its database writers cut off (AWS FIS Cross-Region: Connectivity actions and ECS task faults)`,
    method: experiment
      ? `AWS FIS experiment ${experiment.id} from template ${experiment.templateId} in ${experiment.region}`
      : 'no experiment was started',
    injectedAt: experiment?.firedAt ?? null,
  };
}

function timelineOf(record: GameDayRecord): EvidenceEvent[] {
  const events: (EvidenceEvent | undefined)[] = [
    { at: record.createdAt, what: 'preflight: game day recorded' },
    record.traffic ? { at: record.traffic.startedAt, what: 'shopper schedules enabled in both Regions' } : undefined,
    record.traffic?.firstAckAt
      ? { at: record.traffic.firstAckAt, what: 'first acknowledgment ledger seen' }
      : undefined,
    record.experiment
      ? { at: record.experiment.startedAt, what: `FIS experiment ${record.experiment.id} started` }
      : undefined,
    record.experiment?.firedAt
      ? { at: record.experiment.firedAt, what: 'fault fired (every fault action running; the first started then)' }
      : undefined,
    record.experiment?.endedAt
      ? {
          at: record.experiment.endedAt,
          what: `FIS experiment ${record.experiment.id} ended ${record.experiment.status}${record.experiment.reason ? ` (${record.experiment.reason})` : ''}`,
        }
      : undefined,
    record.failover
      ? { at: record.failover.startedAt, what: `failover runbook started (execution ${record.failover.executionId})` }
      : undefined,
    record.failover?.trafficMovedAt ? { at: record.failover.trafficMovedAt, what: 'traffic moved' } : undefined,
    record.failover?.writersMovedAt ? { at: record.failover.writersMovedAt, what: 'writers moved' } : undefined,
    record.failover?.endedAt
      ? { at: record.failover.endedAt, what: `failover runbook ended ${record.failover.status}` }
      : undefined,
    record.returnedAt ? { at: record.returnedAt, what: `${record.failedRegion} answers again` } : undefined,
  ];
  return events.filter((e): e is EvidenceEvent => e !== undefined);
}

/**
 * score: reads the ledger, the new primary's orders and recover's reports ({@link readScoreData}), scores them with
 * `scoreRun` (the scoring the drill uses), stores the evidence pack (evidence.json, evidence.html, evidence.sha256)
 * under object lock for `evidenceRetentionDays` and records the verdict. A verdict an earlier phase set (FAILED,
 * INCONCLUSIVE) stands; the pack still records what was measured. Whatever could not be read makes the score
 * INCONCLUSIVE (scoreRun fails closed: no acknowledged write, an incomplete report, an order not looked up).
 * Refused (no verdict, no pack) until recover has succeeded, unless an earlier phase ended the game day.
 */
export async function scorePhase(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { input, ports } = ctx;
  if (input.dryRun) {
    return {
      phase: 'score',
      status: 'succeeded',
      summary: 'score (dry run): would score the game day and store its evidence pack',
    };
  }
  let record = ctx.record as GameDayRecord;
  if (record.phases.score && record.evidenceUrl && record.verdict) {
    return {
      phase: 'score',
      status: record.verdict === 'PASSED' ? 'succeeded' : record.verdict === 'FAILED' ? 'failed' : 'inconclusive',
      verdict: record.verdict,
      evidenceUrl: record.evidenceUrl,
      summary: record.phases.score.summary,
    };
  }
  // Review 16c S8: the score seals the game day under object lock; before recover has succeeded it would seal it
  // INCONCLUSIVE for a report that is still being written. Only an earlier verdict lets it run without one.
  if (!record.verdict && record.recover?.status !== 'Success') {
    return {
      phase: 'score',
      status: 'failed',
      summary: `score refused: recover has not succeeded (${record.recover ? `execution ${record.recover.executionId} is ${record.recover.status}` : 'no recover execution recorded'}); run recover first`,
    };
  }
  const stored = await storedPack(ctx, record);
  if (stored) return stored;
  const { data, missing } = await readScoreData(ctx, record);
  if (record.experiment && data?.experiment) {
    // The record and the pack keep when and why the fault ended (review 16c S3).
    record = { ...record, experiment: { ...record.experiment, ...experimentState(data.experiment) } };
  }
  const reports: DatabaseReport[] = [];
  for (const stored of data?.reports ?? []) {
    try {
      reports.push({ database: stored.database, report: parseScoredReport(stored.json, stored.where) });
    } catch (error) {
      missing.push(messageOf(error));
    }
  }
  // The targets the game day started with (review 16c S13); a later dispatch's differing ones are a deviation.
  const targets = record.targets ?? ports.targets;
  const retargeted =
    record.targets &&
    (record.targets.rtoSeconds !== ports.targets.rtoSeconds || record.targets.rpoSeconds !== ports.targets.rpoSeconds)
      ? [
          `The targets of this run (RTO ${ports.targets.rtoSeconds} s, RPO ${ports.targets.rpoSeconds} s) differ from those recorded at preflight (RTO ${record.targets.rtoSeconds} s, RPO ${record.targets.rpoSeconds} s): the game day is judged against the recorded ones.`,
        ]
      : [];
  const score = scoreRun({
    acks: data?.ledger.acks ?? [],
    newPrimary: data?.newPrimary ?? {},
    afterRecovery: null,
    reports,
    timeline: data?.timeline ?? {
      faultInjectedAt: null,
      firstFailureAt: null,
      detectedAt: null,
      decidedAt: null,
      trafficMovedAt: null,
      writersMovedAt: null,
      firstCheckoutAt: null,
    },
    rpoLagBeforeFaultMs: data?.rpoLagBeforeFaultMs ?? null,
    targets,
    // Real shoppers may buy during a game day: a reported order no synthetic shopper wrote is counted, not scored.
    onlySyntheticTraffic: false,
    unacknowledgedWrites: null,
  });
  const earlier = record.verdict;
  // Fail closed: what could not be read or was interrupted makes any judgement INCONCLUSIVE, a FAILED included.
  const verdict: GameDayVerdict = earlier ?? (missing.length > 0 ? 'INCONCLUSIVE' : score.verdict);
  // What the traffic did not exercise: a PASSED says nothing about those classes (review 16d G13).
  const exercised = new Set((data?.ledger.acks ?? []).map((a) => a.kind));
  const unexercised = UNEXERCISED_CLASS.filter(([kind]) => !exercised.has(kind)).map(
    ([kind, classes]) => `no ${kind} acknowledgment: ${classes} not exercised by this game day`,
  );
  const reasons = [
    ...(earlier ? [`an earlier phase ended the game day ${earlier}: ${(record.verdictReasons ?? []).join(' ')}`] : []),
    ...missing,
    ...score.reasons,
  ];
  const now = ports.clock.now();
  const pack = buildEvidencePack({
    kind: 'gameday',
    id: input.gameDayId,
    application: ports.application ?? 'multi-region-shop',
    tested: `Whether the shop survives the loss of ${input.failedRegion} with the failover runbook to ${input.survivingRegion}, and whether the missing-transaction report lists exactly the acknowledged writes that were lost`,
    startedAt: record.createdAt,
    finishedAt: now.toISOString(),
    actor: input.actor,
    approver: input.approver ?? null,
    regions: { failed: input.failedRegion, surviving: input.survivingRegion },
    fault: faultOf(record),
    timeline: timelineOf(record),
    // The pack carries the verdict the record gets (review 16c S1): what could not be read and an earlier phase's
    // verdict are reasons of it, the score's verdict is one input, kept under `score`.
    verdict,
    reasons,
    score,
    deviations: [...retargeted, ...unexercised],
    // What was scored, pinned by content: a later recover or shopper cannot change it unseen (review 16c S12).
    inputs: [
      ...(data?.ledger.objects ?? []).map((what, i) => ({ what, sha256: data?.ledger.digests[i] as string })),
      ...(data?.reports ?? []).map((r) => ({ what: r.where, sha256: r.sha256 })),
    ],
    links: [
      ...(record.failover
        ? [
            {
              label: `failover execution ${record.failover.executionId}`,
              href: executionUrl(input.survivingRegion, record.failover.executionId),
            },
          ]
        : []),
      ...(record.recover
        ? [
            {
              label: `recover execution ${record.recover.executionId}`,
              href: executionUrl(input.survivingRegion, record.recover.executionId),
            },
          ]
        : []),
    ],
    generatedAt: now.toISOString(),
  });
  // One day more than the retention: the bucket policy refuses an evidence object locked for less than
  // evidenceRetentionDays (s3:object-lock-remaining-retention-days), and rounding must never land under it.
  const retainUntil = new Date(now.getTime() + (ports.evidenceRetentionDays + 1) * 86_400_000);
  const prefix = evidencePrefix(input.gameDayId);
  const region = input.survivingRegion;
  await ports.buckets.put(region, `${prefix}${EVIDENCE_FILES.json}`, pack.json, 'application/json', { retainUntil });
  await ports.buckets.put(region, `${prefix}${EVIDENCE_FILES.html}`, pack.html, 'text/html; charset=utf-8', {
    retainUntil,
  });
  await ports.buckets.put(region, `${prefix}${EVIDENCE_FILES.sha256}`, pack.sha256, 'text/plain; charset=utf-8', {
    retainUntil,
  });
  const evidenceUrl = await ports.buckets.consoleUrl(region, `${prefix}${EVIDENCE_FILES.html}`);
  const percent = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value * 100)} %`);
  const summary = [
    `score: ${verdict}`,
    '',
    ...reasons.map((r) => `- ${r}`),
    '',
    `Acknowledged writes: ${score.acknowledged.writes} (${score.acknowledged.orders} orders); recall ${percent(score.recall)}, precision ${percent(score.precision)}.`,
    ...unexercised.map((line) => `Not judged: ${line}.`),
    `Evidence pack (object lock until ${retainUntil.toISOString().slice(0, 10)}): ${evidenceUrl}`,
  ].join('\n');
  return finish(
    ctx,
    record.verdict ? { ...record, verdict: undefined } : record,
    {
      phase: 'score',
      status: verdict === 'PASSED' ? 'succeeded' : verdict === 'FAILED' ? 'failed' : 'inconclusive',
      verdict,
      evidenceUrl,
      summary,
    },
    reasons,
  );
}

/**
 * A pack an earlier run of score stored (locked) whose record was not saved after it (review 16c S12): its verdict
 * stands and is recorded; no second pack is written, though the shoppers may have written more since.
 */
async function storedPack(ctx: PhaseContext, record: GameDayRecord): Promise<PhaseOutcome | undefined> {
  const { input, ports } = ctx;
  const region = input.survivingRegion;
  const key = `${evidencePrefix(input.gameDayId)}${EVIDENCE_FILES.json}`;
  const text = await ports.buckets.get(region, key);
  if (text === undefined) return undefined;
  let pack: { verdict?: unknown; reasons?: unknown; when?: { generatedAt?: unknown } };
  try {
    pack = JSON.parse(text);
  } catch {
    throw new Error(`s3 report bucket of ${region}: ${key} is not JSON; accepted: the evidence pack score stored`);
  }
  const verdict = pack.verdict;
  if (verdict !== 'PASSED' && verdict !== 'FAILED' && verdict !== 'INCONCLUSIVE') {
    throw new Error(
      `s3 report bucket of ${region}: ${key}: verdict ${JSON.stringify(verdict)}; accepted: PASSED, FAILED or INCONCLUSIVE`,
    );
  }
  const reasons = Array.isArray(pack.reasons) ? pack.reasons.map(String) : [];
  const evidenceUrl = await ports.buckets.consoleUrl(
    region,
    `${evidencePrefix(input.gameDayId)}${EVIDENCE_FILES.html}`,
  );
  return finish(
    ctx,
    record.verdict ? { ...record, verdict: undefined } : record,
    {
      phase: 'score',
      status: verdict === 'PASSED' ? 'succeeded' : verdict === 'FAILED' ? 'failed' : 'inconclusive',
      verdict,
      evidenceUrl,
      summary: [
        `score: ${verdict}`,
        '',
        `The evidence pack stored at ${String(pack.when?.generatedAt ?? 'an earlier run')} stands (object lock): this run recorded its verdict and wrote no second pack.`,
        '',
        ...reasons.map((r) => `- ${r}`),
        '',
        `Evidence pack: ${evidenceUrl}`,
      ].join('\n'),
    },
    reasons,
  );
}

/** The SSM console page of an automation execution. */
function executionUrl(region: string, executionId: string): string {
  return `https://${region}.console.aws.amazon.com/systems-manager/automation/execution/${executionId}?region=${region}`;
}
