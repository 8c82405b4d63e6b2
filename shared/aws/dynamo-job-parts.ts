import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { type JsonValue, toJson } from "../domain/privacy/json-value.js";
import { DependencyUnavailableError } from "../errors.js";
import type { JobPartStore, JobPhase, PartState } from "../ports.js";
import { ttlAttribute } from "./dynamo-ttl.js";

/** Days a run's part states are kept: long enough to read a run's results, then they expire. */
const PART_RETENTION_DAYS = 14;

const runKey = (runId: string) => `job#${runId}`;
const partKey = (phase: JobPhase, part: number) => `${phase}#${String(part).padStart(5, "0")}`;

function stateOf(item: Record<string, AttributeValue>): PartState | undefined {
  const part = Number(item.part?.N);
  const seq = Number(item.seq?.N);
  const text = item.acc?.S;
  if (!Number.isSafeInteger(part) || !Number.isSafeInteger(seq) || text === undefined) return undefined;
  let acc: JsonValue = null;
  try {
    acc = toJson(JSON.parse(text)) ?? null;
  } catch (error) {
    throw new DependencyUnavailableError(`a job part's state is not JSON (part ${part})`, error);
  }
  const cursor = item.cursor?.S;
  return { part, seq, done: item.done?.BOOL === true, acc, ...(cursor === undefined ? {} : { cursor }) };
}

/**
 * The segment jobs' part states in the segments table: `pk = job#<runId>`, `sk = <phase>#<part>` (zero-padded),
 * with `seq`, `cursor`, `done` and `acc` (JSON), expiring after two weeks. Each write replaces the part's item
 * whole, conditional on the step sequence it follows.
 */
export class DynamoJobParts implements JobPartStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #now: () => number;

  constructor(options: {
    readonly client: DynamoDBClient;
    readonly tableName: string;
    readonly now?: () => number;
  }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#now = options.now ?? Date.now;
  }

  async get(runId: string, phase: JobPhase, part: number): Promise<PartState | undefined> {
    const out = await this.#call("GetItem", () =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: { pk: { S: runKey(runId) }, sk: { S: partKey(phase, part) } },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item === undefined ? undefined : stateOf(out.Item);
  }

  async put(runId: string, phase: JobPhase, state: PartState, expectedSeq: number): Promise<boolean> {
    const item: Record<string, AttributeValue> = {
      pk: { S: runKey(runId) },
      sk: { S: partKey(phase, state.part) },
      part: { N: String(state.part) },
      seq: { N: String(state.seq) },
      done: { BOOL: state.done },
      acc: { S: JSON.stringify(state.acc) },
      ...(state.cursor === undefined ? {} : { cursor: { S: state.cursor } }),
      ...ttlAttribute(this.#now(), PART_RETENTION_DAYS),
    };
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: item,
          ConditionExpression: expectedSeq === 0 ? "attribute_not_exists(seq)" : "seq = :expected",
          ...(expectedSeq === 0
            ? {}
            : { ExpressionAttributeValues: { ":expected": { N: String(expectedSeq) } } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyUnavailableError(`PutItem on ${this.#tableName} failed`, error);
    }
  }

  async all(runId: string, phase: JobPhase): Promise<PartState[]> {
    const states: PartState[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.#call("Query", () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :phase)",
            ExpressionAttributeValues: { ":pk": { S: runKey(runId) }, ":phase": { S: `${phase}#` } },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        const state = stateOf(item);
        if (state !== undefined) states.push(state);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return states;
  }

  async #call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`${operation} on ${this.#tableName} failed`, error);
    }
  }
}
