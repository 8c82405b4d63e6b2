/**
 * The dispatch benchmark, run in a process of its own (`bench/dispatch.bench.ts` starts it): the local stack with
 * its real handlers, so an intent goes SQS → dispatch (ledger, policy, render, SES v2) → the SES emulator, and an
 * event goes Kinesis → ingest → sends queue → dispatch → inbox. Prints result lines on stdout.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { dispatchEnvSchema } from "../functions/dispatch/env.js";
import { makeDispatchDeps } from "../functions/dispatch/make-deps.js";
import { localFunctionEnvironment } from "../infra/local/function-env.js";
import { startLocalStack } from "../infra/local/local-stack.js";
import { putAll } from "../infra/local/put-records.js";
import { LOCAL_NAMES } from "../infra/local-names.js";
import { dispatchSends } from "../shared/app/dispatch-sends.js";
import { type SendIntent, sendKey } from "../shared/domain/campaigns/index.js";
import { loadEnv } from "../shared/lambda/env.js";
import { readSentMail } from "../shared/sim/sent-mail.js";

const CUSTOMERS = 1000;
const NAIVE = 200;
const LATENCY_SAMPLES = 100;
const encoder = new TextEncoder();
const log = (line: string) => process.stderr.write(`${line}\n`);
/** The SES emulator has no send rate: the limiter is set above what the pipeline can do, to measure the pipeline. */
const env = {
  CAMPAIGNS_DIR: "bench/fixtures/campaigns",
  SEND_RATE_PER_SECOND: "100000",
  POWERTOOLS_LOG_LEVEL: "ERROR",
  POWERTOOLS_METRICS_DISABLED: "true",
};

const customerId = (i: number) => `bench-${String(i).padStart(5, "0")}`;

function signUp(i: number, at: number) {
  const id = customerId(i);
  const stamp = new Date(at).toISOString();
  return [
    {
      type: "identify",
      messageId: `bench-id-${i}`,
      userId: id,
      timestamp: stamp,
      traits: { email: `${id}@example.com`, first_name: "Ada", timezone: "UTC" },
    },
    {
      type: "track",
      event: "Consent Updated",
      messageId: `bench-consent-${i}`,
      userId: id,
      timestamp: stamp,
      properties: { purpose: "marketing_email", granted: true },
    },
  ];
}

function intent(i: number, occurrence: string, now: number): SendIntent {
  const id = customerId(i);
  return {
    key: sendKey("thanks", id, occurrence, 0),
    campaignId: "thanks",
    customerId: id,
    occurrence,
    step: 0,
    template: "post-purchase",
    dueAt: now,
    startedAt: now,
  };
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

const dataDir = mkdtempSync(join(tmpdir(), "tailor-bench-dispatch-"));
const stack = await startLocalStack({
  dataDir,
  fresh: true,
  ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0, sms: 0 },
  log: () => undefined,
  env,
});
const kinesis = new KinesisClient({});
const sqs = new SQSClient({});
try {
  log(`signing up ${CUSTOMERS} customers (identify + marketing consent)…`);
  const now = Date.now();
  const records = Array.from({ length: CUSTOMERS }, (_, i) => signUp(i, now))
    .flat()
    .map((event) => ({ partitionKey: event.userId, data: encoder.encode(JSON.stringify(event)) }));
  await putAll({ kinesis, streamName: LOCAL_NAMES.eventStream, records });
  await stack.waitUntilIdle({ timeoutMs: 300_000 });

  // Warm-up: the first sends load the templates and open connections.
  const QueueUrl = stack.plan.queues.find((q) => q.name === LOCAL_NAMES.sendsQueue)?.url;
  const enqueue = async (intents: readonly SendIntent[]) => {
    for (let i = 0; i < intents.length; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: intents
            .slice(i, i + 10)
            .map((item, n) => ({ Id: String(n), MessageBody: JSON.stringify(item) })),
        }),
      );
    }
  };
  await enqueue(Array.from({ length: 20 }, (_, i) => intent(i, "warm-up", Date.now())));
  await stack.waitUntilIdle({ timeoutMs: 60_000 });

  log(`Tailor: ${CUSTOMERS} intents through the sends queue (batches of 10, the mapping's concurrency)…`);
  const before = (await readSentMail(stack.endpoints.sesv2)).length;
  const intents = Array.from({ length: CUSTOMERS }, (_, i) => intent(i, "bench", Date.now()));
  const started = performance.now();
  await enqueue(intents);
  await stack.waitUntilIdle({ timeoutMs: 600_000 });
  const seconds = (performance.now() - started) / 1000;
  const delivered = (await readSentMail(stack.endpoints.sesv2)).length - before;

  log(`naive: ${NAIVE} intents dispatched one at a time (one message per invocation, nothing in parallel)…`);
  const dispatch = stack.plan.functions.find((f) => f.name === LOCAL_NAMES.dispatchFunction);
  if (dispatch === undefined) throw new Error("the template has no dispatch function");
  const deps = await makeDispatchDeps(
    loadEnv(dispatchEnvSchema, { ...localFunctionEnvironment(dispatch), ...env }),
  );
  const naiveStarted = performance.now();
  for (let i = 0; i < NAIVE; i++) {
    const one = intent(i, "naive", Date.now());
    const { summary } = await dispatchSends(deps, [{ messageId: one.key, body: JSON.stringify(one) }]);
    if (summary.sent !== 1) throw new Error(`naive dispatch did not send ${one.key}`);
  }
  const naiveSeconds = (performance.now() - naiveStarted) / 1000;

  log(`event to inbox: ${LATENCY_SAMPLES} Order Completed events, one every 100 ms…`);
  const latencies: number[] = [];
  const pending = new Map<string, number>();
  const earlier = new Set((await readSentMail(stack.endpoints.sesv2)).map((m) => m.messageId));
  // Only mail stored since this phase began: the whole store is megabytes of HTML by now.
  const since = Math.floor(Date.now() / 1000) - 1;
  const watcher = (async () => {
    while (pending.size > 0 || latencies.length < LATENCY_SAMPLES) {
      const mail = await readSentMail(stack.endpoints.sesv2, { sinceSeconds: since });
      const seenAt = performance.now();
      for (const m of mail) {
        if (earlier.has(m.messageId)) continue;
        earlier.add(m.messageId);
        const to = m.to[0] ?? "";
        const putAt = pending.get(to);
        if (putAt !== undefined) {
          latencies.push(seenAt - putAt);
          pending.delete(to);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const id = customerId(CUSTOMERS - 1 - i);
    const event = {
      type: "track",
      event: "Order Completed",
      messageId: `bench-order-${i}`,
      userId: id,
      timestamp: new Date().toISOString(),
      properties: { order_id: `o-${i}`, total: 42, currency: "EUR", products: [] },
    };
    pending.set(`${id}@example.com`, performance.now());
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: LOCAL_NAMES.eventStream,
        Records: [{ PartitionKey: id, Data: encoder.encode(JSON.stringify(event)) }],
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await Promise.race([watcher, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  latencies.sort((a, b) => a - b);

  const rate = delivered / seconds;
  const naiveRate = NAIVE / naiveSeconds;
  const lines = [
    `dispatch (local stack: SQS → dispatch → ledger, policy, render, SES v2 → the SES emulator; ${CUSTOMERS} customers)`,
    `  Tailor    ${rate.toFixed(0)} sends/s (${delivered} emails in ${seconds.toFixed(1)} s; batches of 10, ` +
      "the mapping's maximum concurrency, 4 customers in parallel per batch)",
    `  naive     ${naiveRate.toFixed(0)} sends/s (one intent per invocation, one after the other)`,
    `  ratio     ${(rate / naiveRate).toFixed(1)}×`,
    `  event → inbox (Order Completed → thank-you, immediate trigger, ${latencies.length}/${LATENCY_SAMPLES} seen): ` +
      `median ${(quantile(latencies, 0.5) / 1000).toFixed(2)} s, p99 ${(quantile(latencies, 0.99) / 1000).toFixed(2)} s`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  kinesis.destroy();
  sqs.destroy();
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
// The in-process emulators keep a few handles open after stopping; this process has nothing left to do.
process.exit(0);
