/**
 * The HTTP path's benchmark (`npm run bench`): events per second through Segment's `POST /v1/batch` on the local
 * stack's API (write-key check, body read, calls filled, one record per customer, PutRecords), against the same
 * events put with PutRecords directly, in the same run. Pollers are off: only the way onto the stream is timed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { startLocalStack } from "../infra/local/local-stack.js";
import { putAll } from "../infra/local/put-records.js";
import { LOCAL_NAMES } from "../infra/local-names.js";
import { createWriteKey } from "../shared/app/write-keys/manage-write-keys.js";
import { DynamoWriteKeyRegistry } from "../shared/aws/dynamo-write-key-registry.js";
import { simulate } from "../shared/sim/index.js";

const args = new Map(
  process.argv.slice(2).flatMap((arg) => {
    const match = /^--([a-z-]+)=(.+)$/.exec(arg);
    return match?.[1] !== undefined && match[2] !== undefined ? [[match[1], match[2]] as const] : [];
  }),
);
const EVENTS = Number(args.get("http-events") ?? 10_000);
/** Calls per `/v1/batch` request: analytics-node's default flush is 15; 100 keeps well under 500 KB. */
const PER_REQUEST = Number(args.get("http-batch") ?? 100);
/** Requests in flight at once, as a few app servers would send. */
const CONCURRENCY = Number(args.get("http-concurrency") ?? 4);

const encoder = new TextEncoder();
const local = { region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };

function events(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const { event } of simulate({ customers: 500, days: 7, seed: 11, start: Date.UTC(2026, 9, 1) })) {
    out.push({ ...event });
    if (out.length >= EVENTS) break;
  }
  return out;
}

const idOf = (event: Record<string, unknown>) => String(event.userId ?? event.anonymousId ?? "anon");

async function inPool<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await run(item);
      }
    }),
  );
}

/** Lines for the report: events/s each way and the ratio. */
export async function httpApiBench(): Promise<string[]> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), "tailor-bench-http-"));
  const stack = await startLocalStack({
    dataDir,
    fresh: true,
    pollers: false,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0, sms: 0 },
    log: () => undefined,
    env: { POWERTOOLS_METRICS_DISABLED: "true", POWERTOOLS_LOG_LEVEL: "ERROR" },
  });
  try {
    const dynamodb = new DynamoDBClient({ ...local, endpoint: stack.endpoints.dynamodb });
    const registry = new DynamoWriteKeyRegistry({ client: dynamodb, tableName: LOCAL_NAMES.writeKeysTable });
    const { key } = await createWriteKey({ registry, clock: { now: () => Date.now() } }, "bench");
    const all = events();
    log(`${all.length} simulator events, ${PER_REQUEST} per request, ${CONCURRENCY} requests at once…`);

    const kinesis = new KinesisClient({ ...local, endpoint: stack.endpoints.kinesis });
    const directStart = performance.now();
    await putAll({
      kinesis,
      streamName: LOCAL_NAMES.eventStream,
      records: all.map((event) => ({
        partitionKey: idOf(event),
        data: encoder.encode(JSON.stringify(event)),
      })),
    });
    const directSeconds = (performance.now() - directStart) / 1000;

    const bodies: string[] = [];
    for (let i = 0; i < all.length; i += PER_REQUEST) {
      bodies.push(JSON.stringify({ batch: all.slice(i, i + PER_REQUEST), sentAt: new Date().toISOString() }));
    }
    const authorization = `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
    let refused = 0;
    const httpStart = performance.now();
    await inPool(bodies, CONCURRENCY, async (body) => {
      const response = await fetch(`${stack.apiUrl}/v1/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body,
      });
      await response.text();
      if (response.status !== 200) refused++;
    });
    const httpSeconds = (performance.now() - httpStart) / 1000;
    dynamodb.destroy();
    kinesis.destroy();

    const direct = all.length / directSeconds;
    const http = all.length / httpSeconds;
    return [
      `HTTP path, ${all.length} events (${bodies.length} requests of ${PER_REQUEST}, ${CONCURRENCY} at once; local stack, one process)`,
      `  PutRecords directly     ${direct.toFixed(0).padStart(8)} events/s`,
      `  POST /v1/batch          ${http.toFixed(0).padStart(8)} events/s${refused > 0 ? `  (${refused} requests not 200)` : ""}`,
      `  ratio HTTP / direct     ${(http / direct).toFixed(2)}×`,
    ];
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
