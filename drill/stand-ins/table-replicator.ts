import { isDeepStrictEqual } from 'node:util';
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

/** Options of {@link TableReplicator}. */
export interface TableReplicatorOptions {
  /** Tables to copy; each must have the key `pk` + `sk`. */
  readonly tables: readonly string[];
  /** How long to wait between two copy passes, in milliseconds. @default 250 */
  readonly intervalMs?: number;
  /** Numeric or ISO-8601 string attribute that orders two versions of an item. @default 'updatedAt' */
  readonly timestampAttribute?: string;
}

/**
 * The drill's stand-in for DynamoDB global-table replication between two dynalite servers, which have no
 * streams: every `intervalMs` it mirrors the active Region's tables into the other one, asynchronously, so a
 * Region that dies loses what changed since the last pass — as a real global table can. Conflicts resolve as
 * last writer wins on {@link TableReplicatorOptions.timestampAttribute}; deletes on the active side are mirrored.
 */
export class TableReplicator {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private passes = 0;

  constructor(
    private source: DynamoDBClient,
    private target: DynamoDBClient,
    private readonly options: TableReplicatorOptions,
  ) {}

  /** Number of completed copy passes. */
  get completedPasses(): number {
    return this.passes;
  }

  /** Starts copying in the background. */
  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.running = this.copyOnce()
        .then(() => undefined)
        .catch(() => undefined) // a dead Region is what the drill is about; the next pass tries again
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.options.intervalMs ?? 250);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops copying; resolves after a pass in progress has finished. What was not copied stays behind. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Makes `source` the active side (after a failover the surviving Region is the one written to). */
  reverse(): void {
    [this.source, this.target] = [this.target, this.source];
  }

  /** One mirror pass over every table; returns the number of items written or deleted on the target. */
  async copyOnce(): Promise<number> {
    let changed = 0;
    for (const table of this.options.tables) {
      const [from, to] = await Promise.all([scanAll(this.source, table), scanAll(this.target, table)]);
      for (const [key, item] of from) {
        const existing = to.get(key);
        if (existing && (isDeepStrictEqual(existing, item) || this.newer(existing, item))) continue;
        await this.target.send(new PutItemCommand({ TableName: table, Item: item }));
        changed++;
      }
      for (const [key, item] of to) {
        if (from.has(key)) continue;
        await this.target.send(new DeleteItemCommand({ TableName: table, Key: { pk: item.pk!, sk: item.sk! } }));
        changed++;
      }
    }
    this.passes++;
    return changed;
  }

  private newer(a: Item, b: Item): boolean {
    const attribute = this.options.timestampAttribute ?? 'updatedAt';
    const stamp = (item: Item) => {
      const value = item[attribute];
      if (value?.N !== undefined) return Number(value.N);
      if (value?.S !== undefined) return Date.parse(value.S);
      return Number.NEGATIVE_INFINITY;
    };
    return stamp(a) > stamp(b);
  }
}

async function scanAll(client: DynamoDBClient, table: string): Promise<Map<string, Item>> {
  const items = new Map<string, Item>();
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) items.set(`${item.pk?.S}\u0000${item.sk?.S}`, item);
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
