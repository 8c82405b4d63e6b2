/**
 * The import benchmark: `tailor import`'s pipeline (two passes, customers grouped, one ingest call per few hundred
 * customers) on a generated CSV of N orders, against the embedded local stack's DynamoDB, and a naive baseline
 * measured in the same run: the same kind of rows delivered one event per ingest call (one load and one write per
 * event, as a loop posting each row would do). `npm run bench` runs a small N; `npm run bench:import` a million.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { localIngestSink } from "../cli/import-command.js";
import type { HistoricalEvent } from "../cli/import-events.js";
import { DEFAULT_MAPPING } from "../cli/import-mapping.js";
import { type ImportReport, type ImportSink, runImport } from "../cli/import-run.js";
import { readLibrary } from "../cli/segment-library.js";
import { LOCAL_NAMES } from "../infra/local-names.js";
import { SqsTransitionPublisher } from "../shared/aws/sqs-transition-publisher.js";
import { startBenchStack } from "./bench-stack.js";

const DAY = 86_400_000;
const HEADER =
  "customer_id,email,first_name,order_id,ordered_at,currency,total,product_id,category,price,quantity";
const CATEGORIES = ["shoes", "bags", "shirts", "books", "toys", "garden"];

/** A seeded xorshift generator: the same file for the same N. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/**
 * Writes a CSV of `orders` orders by `orders / 5` customers over the last three years, in time order (as a
 * shop's export is), so each customer's rows are spread over the file; one order in four has two lines.
 * Returns the rows written.
 */
export function writeOrdersCsv(file: string, orders: number, now: number, prefix = "c"): number {
  const next = random(orders);
  const customers = Math.max(1, Math.floor(orders / 5));
  const start = now - 3 * 365 * DAY;
  const lines: string[] = [HEADER];
  for (let i = 0; i < orders; i++) {
    const customer = `${prefix}-${Math.floor(next() * customers)}`;
    const at = new Date(start + Math.floor((i / orders) * 3 * 365 * DAY)).toISOString();
    const products = next() < 0.25 ? 2 : 1;
    const prices = Array.from({ length: products }, () => Math.round(5 + next() * 200) + 0.99);
    const total = prices.reduce((a, b) => a + b, 0).toFixed(2);
    prices.forEach((price, line) => {
      const category = CATEGORIES[Math.floor(next() * CATEGORIES.length)] ?? "shoes";
      lines.push(
        `${customer},${customer}@example.com,Ada,o-${i},${at},EUR,${total},p-${Math.floor(next() * 500)}-${line},${category},${price},1`,
      );
    });
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  return lines.length - 1;
}

/** The naive baseline: every event its own ingest call, one after another. */
function oneByOne(inner: ImportSink): ImportSink {
  return {
    async send(events: readonly HistoricalEvent[]) {
      const failed = new Map<number, string>();
      const totals = { written: 0, unchanged: 0, duplicates: 0, erased: 0 };
      for (const [index, event] of events.entries()) {
        const result = await inner.send([event]);
        for (const reason of result.failed.values()) failed.set(index, reason);
        totals.written += result.written;
        totals.unchanged += result.unchanged;
        totals.duplicates += result.duplicates;
        totals.erased += result.erased;
      }
      return { failed, ...totals };
    },
  };
}

const perSecond = (n: number, ms: number) =>
  Math.round(n / Math.max(ms / 1000, 0.001)).toLocaleString("en-US");
const n = (x: number) => x.toLocaleString("en-US");

/** The import section of `npm run bench` (and `npm run bench:import`): lines to print. */
export async function importBench(orders = 10_000, naiveOrders = Math.min(1000, orders)): Promise<string[]> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), "tailor-bench-import-"));
  const stack = await startBenchStack(dataDir);
  const dynamodb = new DynamoDBClient({});
  const sqs = new SQSClient({});
  try {
    const queue = stack.plan.queues.find((q) => q.name === LOCAL_NAMES.transitionsQueue);
    if (queue === undefined) throw new Error(`the template has no queue ${LOCAL_NAMES.transitionsQueue}`);
    const sink = localIngestSink(
      dynamodb,
      readLibrary(undefined),
      new SqsTransitionPublisher({ client: sqs, queueUrl: queue.url }),
    );
    const now = Date.now();
    const file = join(dataDir, "orders.csv");
    log(`generating ${n(orders)} orders…`);
    const rows = writeOrdersCsv(file, orders, now);
    const run = (path: string, to: ImportSink, onProgress?: boolean): Promise<ImportReport> =>
      runImport({
        file: path,
        format: "csv",
        mapping: DEFAULT_MAPPING,
        sink: to,
        now,
        ...(onProgress === true
          ? {
              onProgress: (p) => {
                if (p.phase === "writing" && p.customersDone % 10_000 < 500)
                  log(`  ${n(p.customersDone)} of ${n(p.customers)} customers written`);
              },
            }
          : {}),
      });
    log(`importing ${n(rows)} rows…`);
    const grouped = await run(file, sink, true);
    const naiveFile = join(dataDir, "naive.csv");
    writeOrdersCsv(naiveFile, naiveOrders, now, "n");
    log(`naive baseline: ${n(naiveOrders)} orders, one ingest call per event…`);
    const naive = await run(naiveFile, oneByOne(sink));
    log("re-running the import (everything already applied)…");
    const again = await run(file, sink);
    const ratio = grouped.orders / grouped.elapsedMs / (naive.orders / naive.elapsedMs);
    return [
      `import of ${n(orders)} orders (${n(rows)} rows, ${n(grouped.customers)} customers) into the local stack: ` +
        `${(grouped.elapsedMs / 1000).toFixed(1)} s, ${perSecond(grouped.orders, grouped.elapsedMs)} orders/s, ` +
        `${n(grouped.profilesWritten)} profile writes (${(grouped.profilesWritten / grouped.orders).toFixed(2)} per order), ` +
        `${n(grouped.refused.length)} refused`,
      `naive baseline (one ingest call per event, same stack): ${n(naive.orders)} orders in ` +
        `${(naive.elapsedMs / 1000).toFixed(1)} s, ${perSecond(naive.orders, naive.elapsedMs)} orders/s, ` +
        `${n(naive.profilesWritten)} profile writes → grouped import ${ratio.toFixed(1)}× faster`,
      `re-run of the same file: ${(again.elapsedMs / 1000).toFixed(1)} s, ${n(again.profilesWritten)} profiles ` +
        `written, ${n(again.profilesUnchanged)} unchanged, ${n(again.duplicates)} events already applied`,
    ];
  } finally {
    dynamodb.destroy();
    sqs.destroy();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
