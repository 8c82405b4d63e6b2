/**
 * `npm run bench:scale -- --profiles 1000000 [--parts 8] [--baseline-limit 900]`: the scale benchmark of the
 * campaign fan-out. Loads N simulated profiles into the local stack's DynamoDB (bench/support/load-profiles.ts),
 * then measures the fan-out of a scheduled campaign to a 10 % segment and to the whole table, today's one-function
 * fan-out (cut after `--baseline-limit` seconds, Lambda's 15 minutes by default, as its invocation would be) against
 * the Step Functions workflow (run from the synthesised definition, its parts in parallel, in this process), and
 * the peak memory of one part. Prints the time and cost model for 10 and 100 million profiles on AWS.
 *
 * `--rescore-only [--slice-processes]`: the nightly rescoring instead. The profiles are loaded as last night's
 * rescoring left them (scored, their segments settled), then the rescoring workflow's slices in parallel are
 * measured against one slice in one invocation (16 writes at a time, then one at a time), cut like the fan-out's
 * baseline; `--slice-processes` runs each slice in a process of its own instead
 * (bench/support/rescore-slice-process.ts), as each is a function of its own on AWS, every slice cut at
 * `--baseline-limit` seconds. `--in-memory` keeps DynamoDB's tables in memory (a million profiles took the process
 * to 6–10 GB resident). Prints the nightly time and cost model for 1, 10 and 100 million profiles.
 * (`--no-rescore`, the default, is accepted for older commands.)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getHeapStatistics } from "node:v8";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PurgeQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { DEFAULT_RESCORE_CONCURRENCY } from "#infra/components/rescoring.js";
import { startLocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { fanOutSchedule } from "#shared/app/campaign-schedule.js";
import { fanOutPart, planFanOut } from "#shared/app/fanout/index.js";
import { mapLimit } from "#shared/app/map-limit.js";
import { type RescoreDeps, rescoreSlice } from "#shared/app/rescoring/index.js";
import { tierOf } from "#shared/app/rescoring/tiers.js";
import { settleSegments } from "#shared/app/settle-segments.js";
import { DynamoFanOutRuns } from "#shared/aws/dynamo-fanout-runs.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSegmentStore } from "#shared/aws/dynamo-segment-store.js";
import { DynamoSendTimers } from "#shared/aws/dynamo-send-timers.js";
import { SqsSendQueue } from "#shared/aws/sqs-send-queue.js";
import { profileFeatures } from "#shared/domain/features/index.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { systemClock } from "#shared/ports.js";
import { loadCampaignLibrary } from "#shared/templates/campaign-files.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import { rescoreEnvSchema } from "../functions/rescore/env.js";
import { makeRescoreDeps } from "../functions/rescore/make-deps.js";
import { rescoreCostLines, scaleCostLines } from "./scale-cost.js";
import { cutScan } from "./support/cut-scan.js";
import { loadProfiles } from "./support/load-profiles.js";

const { values } = parseArgs({
  options: {
    profiles: { type: "string", default: "100000" },
    parts: { type: "string", default: "8" },
    "no-rescore": { type: "boolean", default: false },
    "rescore-only": { type: "boolean", default: false },
    "slice-processes": { type: "boolean", default: false },
    "baseline-limit": { type: "string", default: "900" },
    "in-memory": { type: "boolean", default: false },
  },
});
const PROFILES = Number(values.profiles);
const PARTS = Number(values.parts);
if (!Number.isInteger(PROFILES) || PROFILES < 100)
  throw new Error("--profiles: a whole number, at least 100");
if (!Number.isInteger(PARTS) || PARTS < 1 || PARTS > 1000)
  throw new Error("--parts: a whole number from 1 to 1000");
/** Seconds today's one-function fan-out may run: Lambda's longest timeout (15 minutes), after which it is cut. */
const BASELINE_LIMIT_S = Number(values["baseline-limit"]);
if (!Number.isFinite(BASELINE_LIMIT_S) || BASELINE_LIMIT_S <= 0)
  throw new Error("--baseline-limit: seconds, more than 0");
if (values["no-rescore"] && values["rescore-only"])
  throw new Error("--no-rescore and --rescore-only: one or the other");
/** The fan-out by default; the rescoring with `--rescore-only` (`--no-rescore` is the default, kept for older commands). */
const FAN_OUT = !values["rescore-only"];
const RESCORE = values["rescore-only"];
const CAMPAIGNS = "bench/fixtures/scale-campaigns";
const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);
const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString("en-US")}/s`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Runs `work`, sampling the process's heap every 20 ms: its seconds and its peak heap above the start. */
async function measured<T>(
  work: () => Promise<T>,
): Promise<{ result: T; seconds: number; peakHeap: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 20);
  const started = performance.now();
  try {
    const result = await work();
    return { result, seconds: (performance.now() - started) / 1000, peakHeap: peak - base };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * `--in-memory`: DynamoDB's tables in this process (dynalite over memory-level) instead of LevelDB, whose compaction
 * a million rewrites wait on. Refused up front, not an hour in, when the machine or the heap is too small: a million
 * profiles took the process to 6–10 GB resident (the items are buffers outside the heap, the tree over them in it),
 * and ran with a 12 GB heap allowed.
 */
const IN_MEMORY = values["in-memory"];
const MEMORY_PER_PROFILE = 12 * 1024;
const HEAP_PER_PROFILE = 8 * 1024;
if (IN_MEMORY) {
  const machine = totalmem();
  const wantedMemory = PROFILES * MEMORY_PER_PROFILE + 2 ** 31;
  if (machine < wantedMemory)
    throw new Error(
      `--in-memory: ${PROFILES.toLocaleString("en-US")} profiles want about ${mb(wantedMemory)} of memory, this machine has ${mb(machine)}: load fewer profiles or leave the tables on disk`,
    );
  const limit = getHeapStatistics().heap_size_limit;
  const wantedHeap = PROFILES * HEAP_PER_PROFILE + 2 ** 30;
  if (limit < wantedHeap)
    throw new Error(
      `--in-memory: ${PROFILES.toLocaleString("en-US")} profiles want a heap of about ${mb(wantedHeap)}, this process may use ${mb(limit)}: run it with NODE_OPTIONS=--max-old-space-size=${Math.ceil(wantedHeap / 2 ** 20)}`,
    );
}
const dataDir = mkdtempSync(join(tmpdir(), "tailor-bench-scale-"));
const stack = await startLocalStack({
  dataDir,
  fresh: true,
  dynamodbInMemory: IN_MEMORY,
  ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0, sms: 0 },
  pollers: false,
  schedules: false,
  models: RESCORE ? { dir: join(dataDir, "models") } : false,
  log: () => undefined,
  // Pages of 100 (the template's 500 bursts 50 SendMessageBatch calls at once per part, which the in-process
  // emulators on a small machine do not keep up with).
  env: {
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "ERROR",
    CAMPAIGNS_DIR: CAMPAIGNS,
    FANOUT_PAGE_SIZE: "100",
  },
});
const dynamodb = new DynamoDBClient({});
const DAY = 86_400_000;
/** When the running one-invocation fan-out stops reading, as Lambda would cut it. */
let deadline = Number.POSITIVE_INFINITY;
/** The rescore slice's environment from the stack, and its own composition root (the one-slice baseline). */
const rescoreEnv = RESCORE
  ? rescoreEnvSchema.parse(environmentOf(LOCAL_NAMES.rescoreSliceFunction))
  : undefined;
const rescoreDeps = rescoreEnv === undefined ? undefined : makeRescoreDeps(rescoreEnv);
const MODELS = Object.keys(rescoreEnv?.MODEL_ENDPOINTS ?? {});

function environmentOf(name: string): Readonly<Record<string, string>> {
  const fn = stack.plan.functions.find((candidate) => candidate.name === name);
  if (fn === undefined) throw new Error(`the stack's template has no function ${name}`);
  return fn.environment;
}

/**
 * The profiles as last night's rescoring left them: scored by the same models (the local model server) on their
 * features a day ago, their segments settled on those scores, the outbox published. The measured nights are then
 * ordinary nights (few customers change tier), not the first night after a deploy, when every customer enters a
 * tier segment (a transition each: the index write, the queue message and the outbox's clearing).
 */
async function previousNight(deps: RescoreDeps, batch: Profile[]): Promise<Profile[]> {
  const at = Date.now() - DAY;
  const rows = batch.map((profile) => profileFeatures(profile, at).values);
  const scores = await Promise.all(MODELS.map((model) => deps.scorer.score(model, rows)));
  const context = await deps.segments.context();
  return batch.map((profile, index) => {
    const sc = Object.fromEntries(
      MODELS.map((model, m) => {
        const p = scores[m]?.[index] ?? 0;
        return [model, { p, t: tierOf(p), at }];
      }),
    );
    const { ob: _published, ...settled } = settleSegments(
      { ...profile, sc },
      deps.segments.library,
      at,
      context,
    ).profile;
    return settled;
  });
}
const sqs = new SQSClient({});
try {
  const queueUrl = stack.plan.queues.find((q) => q.name === LOCAL_NAMES.sendsQueue)?.url ?? "";
  log(`loading ${PROFILES.toLocaleString("en-US")} profiles (BatchWriteItem, 16 in flight)…`);
  const loaded = await loadProfiles({
    client: dynamodb,
    tableName: LOCAL_NAMES.profileTable,
    count: PROFILES,
    segmentsOf: (i) => (i % 10 === 0 ? ["high-engagement"] : []),
    staticSegments: ["vip-list"],
    ...(rescoreDeps === undefined ? {} : { prepare: (batch) => previousNight(rescoreDeps, batch) }),
    onProgress: (n) => log(`  ${n.toLocaleString("en-US")}`),
  });
  out(
    `# Scale benchmark: ${PROFILES.toLocaleString("en-US")} profiles on the local stack (dynalite${IN_MEMORY ? " in memory" : ""}, fauxqs), ${PARTS} parts`,
  );
  out(
    `loaded in ${loaded.seconds.toFixed(1)} s (${rate(loaded.written, loaded.seconds)}), median item ${loaded.medianItemBytes} B`,
  );
  if (IN_MEMORY) {
    const { heapUsed, rss } = process.memoryUsage();
    out(
      `once loaded: ${mb(rss)} resident, ${mb(heapUsed)} of it heap (the tables' items are buffers outside the heap)`,
    );
  }
  if (FAN_OUT) {
    // The membership index: rebuilt once from the whole table by the segment jobs' workflow (as the first night
    // after a deploy does), so that the 10 % campaign's workflow reads the index and the whole-table one scans.
    const reindex = await measured(() =>
      stack.startExecution(LOCAL_NAMES.segmentJobsStateMachine, { job: "reindex", parts: PARTS }),
    );
    out(
      `membership index rebuilt by the segment jobs' workflow (${PARTS} parts): ${reindex.seconds.toFixed(1)} s (${rate(PROFILES, reindex.seconds)})`,
    );
    const library = loadCampaignLibrary(CAMPAIGNS, {
      templates: "templates/emails",
      segments: loadSegmentLibrary("templates/segments"),
    });
    const profiles = new DynamoProfileStore({ client: dynamodb, tableName: LOCAL_NAMES.profileTable });
    // Today's fan-out runs in one Lambda invocation: its scan ends where the invocation would be cut off.
    const oneInvocation = cutScan(profiles, () => deadline);
    const sends = {
      queue: new SqsSendQueue({ client: sqs, queueUrl }),
      timers: new DynamoSendTimers({ client: dynamodb, tableName: LOCAL_NAMES.timersTable }),
    };
    const purge = () => sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    out("| campaign | fan-out | seconds | profiles read/s | intents enqueued/s | intents | peak heap |");
    out("|---|---|---|---|---|---|---|");
    let tick = Date.UTC(2026, 0, 5, 9);
    for (const campaignId of ["scale-tenth", "scale-all"]) {
      tick += 7 * 86_400_000;
      deadline = performance.now() + BASELINE_LIMIT_S * 1000;
      const baseline = await measured(() =>
        fanOutSchedule(
          { library, profiles: oneInvocation.scan, sends, clock: systemClock },
          { campaignId, time: new Date(tick).toISOString() },
        ),
      );
      const b = baseline.result;
      out(
        `| ${campaignId} | one function (4 slices in turn)${oneInvocation.cut() ? `, cut at ${BASELINE_LIMIT_S} s having read ${b.scanned.toLocaleString("en-US")} of ${PROFILES.toLocaleString("en-US")}` : ""} | ${baseline.seconds.toFixed(1)} | ${rate(b.scanned, baseline.seconds)} | ${rate(b.enqueued, baseline.seconds)} | ${b.enqueued.toLocaleString("en-US")} | ${mb(baseline.peakHeap)} |`,
      );
      await purge();
      tick += 7 * 86_400_000;
      const time = new Date(tick).toISOString();
      const workflow = await measured(() =>
        stack.startExecution(LOCAL_NAMES.fanOutStateMachine, { campaignId, time, parts: PARTS }),
      );
      const w = workflow.result;
      const counts =
        typeof w === "object" &&
        w !== null &&
        "counts" in w &&
        typeof w.counts === "object" &&
        w.counts !== null
          ? w.counts
          : {};
      const read = "read" in counts ? Number(counts.read) : 0;
      const enqueued = "enqueued" in counts ? Number(counts.enqueued) : 0;
      const source = typeof w === "object" && w !== null && "source" in w ? String(w.source) : "?";
      out(
        `| ${campaignId} | workflow (${PARTS} parts in parallel, reads the ${source === "index" ? "membership index" : "table"}) | ${workflow.seconds.toFixed(1)} | ${rate(read, workflow.seconds)} | ${rate(enqueued, workflow.seconds)} | ${enqueued.toLocaleString("en-US")} | ${mb(workflow.peakHeap)} (all parts) |`,
      );
      await purge();
    }
    // One part alone: the memory a child needs is bounded by its page, whatever the table's size.
    tick += 7 * 86_400_000;
    const runs = new DynamoFanOutRuns({ client: dynamodb, tableName: LOCAL_NAMES.segmentsTable });
    const segments = new DynamoSegmentStore({ client: dynamodb, tableName: LOCAL_NAMES.segmentsTable });
    const deps = { library, profiles, segments, runs, sends, clock: systemClock };
    const plan = await planFanOut(
      deps,
      { campaignId: "scale-all", time: new Date(tick).toISOString() },
      { parts: PARTS },
    );
    const one = await measured(() =>
      fanOutPart(deps, { ...plan, part: 0 }, { budgetMs: 3_600_000, pageSize: 500 }),
    );
    out(
      `one part alone (1/${PARTS} of the table, 100-item pages): ${one.seconds.toFixed(1)} s, ${rate(one.result.counts.read, one.seconds)} read, peak heap ${mb(one.peakHeap)}`,
    );
    await purge();
  }

  if (rescoreDeps !== undefined && !values["slice-processes"]) {
    out("");
    out(
      `Nightly rescoring of the ${PROFILES.toLocaleString("en-US")} profiles (loaded as last night left them; ${MODELS.join(", ")}; each slice writes 16 profiles at a time):`,
    );
    out("| rescoring | seconds | profiles scored | profiles/s | transitions | peak heap |");
    out("|---|---|---|---|---|---|");
    // The workflow: Plan, Clusters (a read of every profile for the k-means sample), the slices, Finish.
    let slicesFrom = 0;
    let slicesTo = 0;
    const run = await measured(() =>
      stack.startExecution(
        LOCAL_NAMES.rescoreStateMachine,
        { totalSegments: PARTS },
        {
          onTask: (task) => {
            if (task.state === "Clusters") slicesFrom = performance.now();
            if (task.state === "RescoreSlice") slicesTo = performance.now();
          },
        },
      ),
    );
    const report = z
      .object({ scored: z.number(), transitions: z.number(), failedSlices: z.array(z.number()) })
      .parse(run.result);
    const slicesSeconds = (slicesTo - slicesFrom) / 1000;
    const at = `${Math.min(PARTS, DEFAULT_RESCORE_CONCURRENCY)} at once`;
    const failed = report.failedSlices.length > 0 ? `, ${report.failedSlices.length} failed` : "";
    out(
      `| workflow, ${PARTS} slices (${at})${failed}: whole run | ${run.seconds.toFixed(1)} | ${report.scored.toLocaleString("en-US")} | ${rate(report.scored, run.seconds)} | ${report.transitions.toLocaleString("en-US")} | ${mb(run.peakHeap)} |`,
    );
    out(
      `| workflow, ${PARTS} slices (${at}): the slices alone | ${slicesSeconds.toFixed(1)} | ${report.scored.toLocaleString("en-US")} | ${rate(report.scored, slicesSeconds)} | | |`,
    );
    // One slice, the whole table in one invocation, cut where Lambda would cut it: writing 16 profiles at a time,
    // then one at a time as a slice did before (the naive baseline).
    const oneSlice = async (writeConcurrency: number) => {
      const deadlineAt = performance.now() + BASELINE_LIMIT_S * 1000;
      const limited = cutScan(rescoreDeps.scan, () => deadlineAt);
      const one = await measured(() =>
        rescoreSlice(
          { ...rescoreDeps, scan: limited.scan },
          { segment: 0, totalSegments: 1 },
          { models: MODELS, writeConcurrency },
        ),
      );
      const o = one.result;
      const writes = writeConcurrency === 1 ? "one write at a time" : `${writeConcurrency} writes at a time`;
      out(
        `| one slice (one invocation), ${writes}${limited.cut() ? `, cut at ${BASELINE_LIMIT_S} s having scored ${o.scored.toLocaleString("en-US")} of ${PROFILES.toLocaleString("en-US")}` : ""} | ${one.seconds.toFixed(1)} | ${o.scored.toLocaleString("en-US")} | ${rate(o.scored, one.seconds)} | ${o.transitions.toLocaleString("en-US")} | ${mb(one.peakHeap)} |`,
      );
      return o.scored / one.seconds;
    };
    const one = await oneSlice(16);
    const sequential = await oneSlice(1);
    const parallel = report.scored / slicesSeconds;
    out(
      `slices in parallel against one slice: ${(parallel / one).toFixed(1)}× (the emulators, the slices and this benchmark share one Node thread here; on AWS each slice is its own function); one slice writing 16 at a time against one at a time: ${(one / sequential).toFixed(1)}×`,
    );
  }
  if (rescoreDeps !== undefined && values["slice-processes"]) {
    out("");
    out(
      `Nightly rescoring of the ${PROFILES.toLocaleString("en-US")} profiles (loaded as last night left them; ${MODELS.join(", ")}), each slice in a process of its own as each is a function of its own on AWS; DynamoDB, SQS and the model server in this one:`,
    );
    out("| rescoring | seconds | profiles scored | profiles/s | transitions |");
    out("|---|---|---|---|---|");
    const sliceEnv = JSON.stringify(environmentOf(LOCAL_NAMES.rescoreSliceFunction));
    const inProcess = (segment: number, totalSegments: number, writeConcurrency: number) =>
      new Promise<{ cut: boolean; seconds: number; scored: number; transitions: number }>(
        (resolve, reject) => {
          const child = spawn(
            process.execPath,
            ["--import", "tsx", "bench/support/rescore-slice-process.ts"],
            {
              env: {
                ...process.env,
                TAILOR_SLICE_ENV: sliceEnv,
                TAILOR_SLICE: JSON.stringify({
                  segment,
                  totalSegments,
                  models: MODELS,
                  writeConcurrency,
                  limitMs: BASELINE_LIMIT_S * 1000,
                }),
              },
              stdio: ["ignore", "pipe", "pipe"],
            },
          );
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
          });
          child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString();
          });
          child.on("error", reject);
          child.on("close", (code) => {
            if (code !== 0) {
              reject(new Error(`slice ${segment}/${totalSegments} exited ${code}: ${stderr.slice(-2000)}`));
              return;
            }
            resolve(
              z
                .object({
                  cut: z.boolean(),
                  seconds: z.number(),
                  scored: z.number(),
                  transitions: z.number(),
                })
                .parse(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}")),
            );
          });
        },
      );
    const at = Math.min(PARTS, DEFAULT_RESCORE_CONCURRENCY);
    const parallel = await measured(() =>
      mapLimit(
        Array.from({ length: PARTS }, (_, segment) => segment),
        at,
        (segment) => inProcess(segment, PARTS, 16),
      ),
    );
    const slices = parallel.result.map((result) => {
      if (result.status === "rejected") throw result.reason;
      return result.value;
    });
    const scored = slices.reduce((n, slice) => n + slice.scored, 0);
    const transitions = slices.reduce((n, slice) => n + slice.transitions, 0);
    const cutSlices = slices.filter((slice) => slice.cut).length;
    out(
      `| ${PARTS} slices, ${at} processes at once${cutSlices > 0 ? `, ${cutSlices} cut at ${BASELINE_LIMIT_S} s` : ""} | ${parallel.seconds.toFixed(1)} | ${scored.toLocaleString("en-US")} | ${rate(scored, parallel.seconds)} | ${transitions.toLocaleString("en-US")} |`,
    );
    const rates: number[] = [];
    for (const writeConcurrency of [16, 1]) {
      const one = await measured(() => inProcess(0, 1, writeConcurrency));
      const o = one.result;
      const writes = writeConcurrency === 1 ? "one write at a time" : `${writeConcurrency} writes at a time`;
      out(
        `| one slice, one process, ${writes}${o.cut ? `, cut at ${BASELINE_LIMIT_S} s having scored ${o.scored.toLocaleString("en-US")} of ${PROFILES.toLocaleString("en-US")}` : ""} | ${one.seconds.toFixed(1)} | ${o.scored.toLocaleString("en-US")} | ${rate(o.scored, one.seconds)} | ${o.transitions.toLocaleString("en-US")} |`,
      );
      rates.push(o.scored / one.seconds);
    }
    const [one = 0, sequential = 0] = rates;
    out(
      `slices in parallel against one slice: ${(scored / parallel.seconds / one).toFixed(1)}×; one slice writing 16 at a time against one at a time: ${(one / sequential).toFixed(1)}× (${PARTS} slices on two cores shared with the emulators; on AWS each slice has a function of its own)`,
    );
  }
  if (FAN_OUT) {
    out("");
    for (const line of scaleCostLines()) out(line);
    out("");
    out("(the nightly rescoring of as many profiles: `npm run bench:scale -- --profiles N --rescore-only`)");
  }
  if (rescoreDeps !== undefined) {
    out("");
    for (const line of rescoreCostLines()) out(line);
  }
  out("");
  out(`peak resident memory of this process: ${mb(process.resourceUsage().maxRSS * 1024)}`);
} catch (error) {
  // Said before the stack stops: stopping it under a workflow's parts still reading would hide this error behind
  // the emulator's own (its database closed under a scan).
  log(`the benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  dynamodb.destroy();
  sqs.destroy();
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
