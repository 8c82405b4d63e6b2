import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { DependencyUnavailableError } from "../errors.js";
import type {
  FanOutCheckpoint,
  FanOutPartState,
  FanOutRun,
  FanOutRunKey,
  FanOutRunPlan,
  FanOutRuns,
  FanOutSource,
} from "../ports.js";
import { batchGetAll } from "./dynamo-query-all.js";

type Item = Record<string, AttributeValue>;

/** Errors kept whole on a run (all are counted). */
const KEPT_ERRORS = 10;
/** The key prefix of fan-out runs in the segments table (its other keys: `size#…`, `rfm`, `clusters`, `exp#…`). */
export const FANOUT_KEY_PREFIX = "fanout#";

const pkOf = (campaignId: string) => ({ S: `${FANOUT_KEY_PREFIX}${campaignId}` });
const runKey = (key: FanOutRunKey): Item => ({
  pk: pkOf(key.campaignId),
  sk: { S: `run#${key.occurrence}` },
});
/**
 * A part's checkpoint has a partition of its own (`fanout#<campaign>#<tick>#<part>`): a hundred parts
 * checkpointing a page each second write to a hundred partitions, never 1,400 writes a second to one.
 */
const partKey = (key: FanOutRunKey, part: number): Item => ({
  pk: { S: `${FANOUT_KEY_PREFIX}${key.campaignId}#${key.occurrence}#${String(part).padStart(6, "0")}` },
  sk: { S: "part" },
});

const num = (item: Item | undefined, name: string): number => Number(item?.[name]?.N ?? "0");
const str = (item: Item | undefined, name: string): string | undefined => item?.[name]?.S;
const n = (value: number): AttributeValue => ({ N: String(value) });

/**
 * Fan-out run records in the segments table, under a key prefix of their own: the run at
 * `pk = fanout#<campaignId>`, `sk = run#<occurrence>` (plan, starts, finish, errors) and each part's checkpoint in
 * a partition of its own, `pk = fanout#<campaignId>#<occurrence>#<part>` (step, cursor, done, and its counts
 * added with `ADD`). A
 * checkpoint is conditional on the part's step, so a retried invocation never adds a page twice; a run's counts
 * are its parts' summed (BatchGetItem by the plan's part count), so no item is written by every child. The segments table holds no customer
 * keys (customer ids live only in the profile table's `c#` hash namespace), so these keys cannot meet one.
 */
export class DynamoFanOutRuns implements FanOutRuns {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async start(plan: FanOutRunPlan): Promise<FanOutRunPlan> {
    const out = await this.#call("UpdateItem", () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: runKey(plan),
          UpdateExpression:
            "SET #source = if_not_exists(#source, :source), segmentId = if_not_exists(segmentId, :segment), " +
            "parts = if_not_exists(parts, :parts), startedAt = if_not_exists(startedAt, :startedAt)" +
            (plan.sourceReason === undefined ? "" : ", sourceReason = if_not_exists(sourceReason, :reason)") +
            " ADD starts :one REMOVE finishedAt",
          ExpressionAttributeNames: { "#source": "source" },
          ExpressionAttributeValues: {
            ":source": { S: plan.source },
            ...(plan.sourceReason === undefined ? {} : { ":reason": { S: plan.sourceReason } }),
            ":segment": { S: plan.segmentId },
            ":parts": n(plan.parts),
            ":startedAt": n(plan.startedAt),
            ":one": n(1),
          },
          ReturnValues: "ALL_NEW",
        }),
      ),
    );
    return planOf(plan, out.Attributes);
  }

  async part(key: FanOutRunKey, part: number): Promise<FanOutPartState> {
    const out = await this.#call("GetItem", () =>
      this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: partKey(key, part), ConsistentRead: true }),
      ),
    );
    const cursor = str(out.Item, "c");
    return {
      step: num(out.Item, "step"),
      done: out.Item?.d?.BOOL === true,
      ...(cursor === undefined ? {} : { cursor }),
    };
  }

  async advance(key: FanOutRunKey, part: number, checkpoint: FanOutCheckpoint): Promise<boolean> {
    const keepCursor = !checkpoint.done && checkpoint.cursor !== undefined;
    const values: Item = {
      ":next": n(checkpoint.step + 1),
      ":read": n(checkpoint.counts.read),
      ":members": n(checkpoint.counts.members),
      ":enqueued": n(checkpoint.counts.enqueued),
      ":timed": n(checkpoint.counts.timed),
      ":at": n(Date.now()),
    };
    if (checkpoint.step > 0) values[":step"] = n(checkpoint.step);
    if (keepCursor && checkpoint.cursor !== undefined) values[":cursor"] = { S: checkpoint.cursor };
    if (checkpoint.done) values[":done"] = { BOOL: true };
    const set = [
      "step = :next",
      "updatedAt = :at",
      ...(keepCursor ? ["c = :cursor"] : []),
      ...(checkpoint.done ? ["d = :done"] : []),
    ];
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: partKey(key, part),
          UpdateExpression:
            `SET ${set.join(", ")} ADD #read :read, members :members, enqueued :enqueued, timed :timed` +
            (keepCursor ? "" : " REMOVE c"),
          ConditionExpression:
            (checkpoint.step === 0 ? "attribute_not_exists(step)" : "step = :step") +
            " AND attribute_not_exists(d)",
          ExpressionAttributeNames: { "#read": "read" },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyUnavailableError(
        `UpdateItem (fan-out checkpoint) on ${this.#tableName} failed`,
        error,
      );
    }
  }

  async recordError(key: FanOutRunKey, message: string): Promise<void> {
    const kept = { ":one": n(1), ":message": { L: [{ S: message.slice(0, 500) }] }, ":empty": { L: [] } };
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: runKey(key),
          UpdateExpression:
            "SET errs = list_append(if_not_exists(errs, :empty), :message) ADD errorCount :one",
          ConditionExpression: "attribute_not_exists(errs) OR size(errs) < :kept",
          ExpressionAttributeValues: { ...kept, ":kept": n(KEPT_ERRORS) },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) {
        throw new DependencyUnavailableError(
          `UpdateItem (fan-out error) on ${this.#tableName} failed`,
          error,
        );
      }
      // Enough errors kept whole: count this one.
      await this.#call("UpdateItem", () =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#tableName,
            Key: runKey(key),
            UpdateExpression: "ADD errorCount :one",
            ExpressionAttributeValues: { ":one": n(1) },
          }),
        ),
      );
    }
  }

  async finish(key: FanOutRunKey, at: number): Promise<void> {
    await this.#call("UpdateItem", () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: runKey(key),
          UpdateExpression: "SET finishedAt = :at",
          ExpressionAttributeValues: { ":at": n(at) },
        }),
      ),
    );
  }

  async get(key: FanOutRunKey): Promise<FanOutRun | undefined> {
    const out = await this.#call("GetItem", () =>
      this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: runKey(key), ConsistentRead: true }),
      ),
    );
    if (out.Item === undefined) return undefined;
    const counts = { read: 0, members: 0, enqueued: 0, timed: 0 };
    let partsDone = 0;
    for (const item of await this.#parts(key, num(out.Item, "parts"))) {
      counts.read += num(item, "read");
      counts.members += num(item, "members");
      counts.enqueued += num(item, "enqueued");
      counts.timed += num(item, "timed");
      if (item.d?.BOOL === true) partsDone++;
    }
    const item = out.Item;
    const finishedAt = item.finishedAt?.N;
    return {
      ...planOf(key, item),
      starts: num(item, "starts"),
      ...(finishedAt === undefined ? {} : { finishedAt: Number(finishedAt) }),
      counts,
      partsDone,
      errors: (item.errs?.L ?? []).flatMap((entry) => (entry.S === undefined ? [] : [entry.S])),
      errorCount: num(item, "errorCount"),
    };
  }

  async latest(campaignId: string): Promise<FanOutRun | undefined> {
    const out = await this.#call("Query", () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": pkOf(campaignId), ":prefix": { S: "run#" } },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      ),
    );
    const occurrence = str(out.Items?.[0], "sk")?.slice("run#".length);
    return occurrence === undefined ? undefined : this.get({ campaignId, occurrence });
  }

  /** The checkpoints of a run's parts that exist (consistent reads, 100 keys a BatchGetItem call). */
  #parts(key: FanOutRunKey, parts: number): Promise<Item[]> {
    const keys = Array.from({ length: parts }, (_, part) => partKey(key, part));
    return batchGetAll(this.#client, this.#tableName, keys, { consistentRead: true });
  }

  async #call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`${operation} (fan-out runs) on ${this.#tableName} failed`, error);
    }
  }
}

function isSource(value: string | undefined): value is FanOutSource {
  return value === "index" || value === "scan";
}

/** The stored plan of a run (what `start` wrote first), the key as given. */
function planOf(key: FanOutRunKey, item: Item | undefined): FanOutRunPlan {
  const source = str(item, "source");
  const segmentId = str(item, "segmentId");
  const sourceReason = str(item, "sourceReason");
  if (!isSource(source) || segmentId === undefined) {
    throw new DependencyUnavailableError(
      `fan-out run ${key.campaignId} ${key.occurrence} has no readable plan`,
    );
  }
  return {
    campaignId: key.campaignId,
    occurrence: key.occurrence,
    source,
    ...(sourceReason === undefined ? {} : { sourceReason }),
    segmentId,
    parts: num(item, "parts"),
    startedAt: num(item, "startedAt"),
  };
}
