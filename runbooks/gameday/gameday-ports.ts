import type { ClockPort } from '../ports/clock-port';

/** An FIS experiment's state (`ExperimentState.status` of the FIS API). */
export type ExperimentStatus =
  | 'pending'
  | 'initiating'
  | 'running'
  | 'completed'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'cancelled';

/** One action of an experiment, as GetExperiment reports it. */
export interface ExperimentActionState {
  readonly name: string;
  /** `pending`, `initiating`, `running`, `completed`, `cancelled`, `stopping`, `stopped`, `failed`, `skipped`. */
  readonly status: string;
  readonly startedAt?: Date;
}

/** An FIS experiment. */
export interface Experiment {
  readonly id: string;
  readonly region: string;
  readonly templateId: string;
  readonly status: ExperimentStatus;
  /** Why it is in its state (FIS `ExperimentState.reason`), e.g. the stop condition that stopped it. */
  readonly reason?: string;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  readonly actions: readonly ExperimentActionState[];
}

/** FIS in one account: the game day's experiment template per Region, and its experiments. */
export interface FaultInjectionPort {
  /** The game day's experiment template in `region` (found by its tag), or undefined when the stacks have none. */
  findTemplate(region: string): Promise<{ readonly id: string; readonly description: string } | undefined>;
  /** Starts an experiment; the same `clientToken` never starts a second one. Tags mark the game day. */
  start(
    region: string,
    templateId: string,
    clientToken: string,
    tags: Readonly<Record<string, string>>,
  ): Promise<Experiment>;
  /** One experiment, or undefined when FIS has none with this id. */
  get(region: string, experimentId: string): Promise<Experiment | undefined>;
  /** Stops a running experiment (its actions are stopped, the fault ends). */
  stop(region: string, experimentId: string): Promise<Experiment>;
}

/** The shopper fleet's EventBridge Scheduler schedule of each Region (created disabled by the stacks). */
export interface ShopperSchedulePort {
  /** Whether the Region's shopper schedule is enabled; undefined when the Region has none. */
  isEnabled(region: string): Promise<boolean | undefined>;
  /**
   * Enables the Region's shopper schedule with the game day's id as the shopper's input and `endDate` as its end
   * (the rest kept as is).
   */
  enable(region: string, gameDayId: string, endDate: Date): Promise<void>;
  /** Disables the Region's shopper schedule (the rest kept as is). */
  disable(region: string): Promise<void>;
}

/** The report bucket of each Region: the game-day record, the ledgers, recover's reports and the evidence. */
export interface ReportBucketsPort {
  /** The object's text, or undefined when there is none. */
  get(region: string, key: string): Promise<string | undefined>;
  /** Every key under `prefix`, in key order. */
  list(region: string, prefix: string): Promise<readonly string[]>;
  /**
   * Writes an object and returns its `s3://` URL. With `retainUntil` the object is written under object lock
   * (compliance mode) until then: it cannot be overwritten or deleted before.
   */
  put(
    region: string,
    key: string,
    body: string,
    contentType: string,
    options?: { readonly retainUntil?: Date },
  ): Promise<string>;
  /** The console URL of an object (for the job summary's link). */
  consoleUrl(region: string, key: string): Promise<string>;
}

/** The runbooks the game day starts, as on-call starts them (the failover CLI's dispatch). */
export type GameDayRunbook = 'readiness' | 'failover' | 'recover';

/** One runbook execution, as followed. */
export interface RunbookExecution {
  readonly executionId: string;
  /** SSM Automation status: `Success`, `Failed`, `InProgress`, … */
  readonly status: string;
  /** Whether it ended (else the follow timed out; it keeps running). */
  readonly ended: boolean;
  /** Whether it ended successfully. */
  readonly succeeded: boolean;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  /** Where its report went (`s3://…`), when it wrote one. */
  readonly reportUrl?: string;
  /** Why it failed, when it did. */
  readonly failure?: string;
  /** Its steps as followed, e.g. the time each ended (for the RTO phases) and why one failed. */
  readonly steps?: readonly {
    readonly name: string;
    readonly status: string;
    readonly endedAt?: Date;
    readonly failureMessage?: string;
  }[];
}

/** Starts a runbook's SSM Automation in a Region (or attaches to the same one running) and follows it. */
export interface RunbookDispatchPort {
  run(request: {
    readonly runbook: GameDayRunbook;
    readonly region: string;
    readonly reason: string;
    readonly dryRun: boolean;
    /** For `recover`: when the failover happened. */
    readonly failoverAt?: Date;
    /**
     * How long to follow the execution, in minutes (the phase's time left); it keeps running after, and the next run
     * of the phase attaches to it. @default - the adapter's own limit
     */
    readonly followMinutes?: number;
  }): Promise<RunbookExecution>;
}

/** One account quota of a Region that a failover and its recovery need headroom in. */
export interface QuotaUsage {
  readonly name: string;
  readonly used: number;
  readonly max: number;
  /** How many the game day needs free. */
  readonly needed: number;
}

/** A database backup: an automated or manual cluster snapshot. */
export interface DatabaseBackup {
  readonly database: string;
  readonly identifier: string;
  readonly createdAt: Date;
}

/** What answers in a Region: its services (health URLs) and its databases. */
export interface RegionAnswer {
  readonly servicesAnswer: boolean;
  readonly databasesAnswer: boolean;
  /** One line per thing that does not answer (empty when everything does). */
  readonly problems: readonly string[];
}

/** Account-level facts of a Region: quotas, backups, whether it answers. */
export interface RegionFactsPort {
  quotas(region: string): Promise<readonly QuotaUsage[]>;
  /** The newest backup of each database cluster of the Region (a database without one is absent). */
  latestBackups(region: string): Promise<readonly DatabaseBackup[]>;
  /** The databases the Region should have (so a missing backup can be named). */
  databases(): readonly string[];
  answers(region: string): Promise<RegionAnswer>;
  /** The highest `AuroraGlobalDBRPOLag` of the Region's global databases in the 5 minutes before `at`, in ms. */
  rpoLagBeforeMs(region: string, at: Date): Promise<number | null>;
  /**
   * When the failure was detected: the first time after `after` that the Region's canary against the public name
   * went into ALARM; null when it did not (or there is no such alarm).
   */
  detectedAt(region: string, after: Date): Promise<Date | null>;
}

/**
 * What the Region now serving holds for one acknowledged order: absent, or present with its state (`null` for a
 * field that could not be read). The same shape as the scoring's `OrderOnNewPrimary`.
 */
export type HeldOrder =
  | { readonly present: false }
  | {
      readonly present: true;
      /** Soft-deleted (cancelled); null when not read. */
      readonly cancelled: boolean | null;
      /** The shipping address fields; null when not read. */
      readonly address: Readonly<Record<string, string | number>> | null;
    };

/** One synthetic order as the ledger names it. */
export interface SyntheticOrderRef {
  readonly orderId: string;
  readonly shopper: string;
  /** The shopper's signed customer cookie, when the ledger kept it (so the order can be read as its owner). */
  readonly cookie?: string;
}

/** The shop as the game day reads and cleans it: the synthetic orders the shoppers were told were placed. */
export interface ShopOrdersPort {
  /** What `region` (the Region now serving) holds for each order, by order id; an order not known is left out. */
  lookup(region: string, orders: readonly SyntheticOrderRef[]): Promise<Readonly<Record<string, HeldOrder>>>;
  /**
   * Removes the game day's synthetic orders; returns how many were removed, the ids that could not be, and a note
   * when orders are left for something else to remove (said as a warning in clean-up's summary).
   */
  removeSynthetic(
    region: string,
    orders: readonly SyntheticOrderRef[],
  ): Promise<{ readonly removed: number; readonly failed: readonly string[]; readonly note?: string }>;
}

/** Where the game day's own notes go (the job log). */
export type GameDayLog = (line: string) => void;

/**
 * Every side effect of a game day, each behind a port with an AWS implementation (`gameDayAwsPorts` in
 * runbooks/adapters/aws/gameday-ports.ts) and an in-memory one for tests.
 */
export interface GameDayPorts {
  readonly clock: ClockPort;
  readonly faults: FaultInjectionPort;
  readonly schedules: ShopperSchedulePort;
  readonly buckets: ReportBucketsPort;
  readonly runbooks: RunbookDispatchPort;
  readonly regions: RegionFactsPort;
  readonly orders: ShopOrdersPort;
  readonly log: GameDayLog;
  /** The application and environment, e.g. `shop-prod` (named in the evidence pack). @default 'multi-region-shop' */
  readonly application?: string;
  /** Days the evidence objects are kept under object lock (config `gameDays.evidenceRetentionDays`). */
  readonly evidenceRetentionDays: number;
  /** Targets (config `rtoTargetMinutes`, `rpoTargetSeconds`). */
  readonly targets: { readonly rtoSeconds: number; readonly rpoSeconds: number };
  /** How long the phases wait and how often they look. @default DEFAULT_GAMEDAY_SETTINGS */
  readonly settings?: Partial<GameDaySettings>;
}

/** How long the phases wait and how often they look. */
export interface GameDaySettings {
  /**
   * The time one phase may take, in minutes: every wait and every runbook it follows ends by then, with the record
   * written (the job's credentials and timeout bound it: pass the job's budget less a margin).
   */
  readonly phaseMinutes: number;
  /** Seconds between two looks while waiting. */
  readonly pollSeconds: number;
  /** start-traffic: how long it waits for the first acknowledgment of the failed Region's shoppers. */
  readonly trafficWaitMinutes: number;
  /**
   * start-traffic: how long shoppers keep buying after the first acknowledgment before the phase ends, so that
   * writes replicated before the fault exist (the report's last replicated moment, the RPO's start).
   */
  readonly trafficWarmUpMinutes: number;
  /** inject: how long it waits for the experiment to run and its first action to start. */
  readonly experimentStartMinutes: number;
  /** await-return: how long one run waits for the failed Region to answer (a re-run waits again). */
  readonly returnWaitMinutes: number;
  /** preflight: the newest backup of each database must be younger than this. */
  readonly backupMaxAgeHours: number;
  /**
   * recover: how long after the failed Region answered again it keeps running recover while the old primary's
   * snapshot is not there yet; after that, the snapshot never appeared.
   */
  readonly snapshotWaitMinutes: number;
}

/** Defaults of {@link GameDaySettings}: the waits fit in a job whose credentials last 60 minutes. */
export const DEFAULT_GAMEDAY_SETTINGS: GameDaySettings = {
  phaseMinutes: 50,
  pollSeconds: 15,
  trafficWaitMinutes: 10,
  trafficWarmUpMinutes: 3,
  experimentStartMinutes: 5,
  returnWaitMinutes: 50,
  backupMaxAgeHours: 24,
  snapshotWaitMinutes: 30,
};
