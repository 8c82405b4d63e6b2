/**
 * The segment jobs benchmark, in a process of its own (`bench/segment-jobs.bench.ts` starts it): a profile table
 * loaded with BatchWriteItem (`--profiles`, default 20,000 copies of simulated profiles) in the local stack, then
 * - the nightly rescoring's slice work (features, both models over the SageMaker runtime protocol, tiers, segment
 *   re-evaluation, one conditional write per profile) over `--parts` scan segments in parallel, against one segment;
 * - the segment jobs' state machine (`recount`) as synthesised, run by aws-local-stepfunctions with the real
 *   handlers, over `--parts` parts against one part.
 * Profiles per second for each. Locally everything shares one machine (dynalite is single-threaded), so the
 * parallel gain here is a floor: on DynamoDB each scan segment is served by its own partitions.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { segmentTimersEnvSchema } from "../functions/segment-timers/env.js";
import { makeSegmentTimersDeps } from "../functions/segment-timers/make-deps.js";
import { localFunctionEnvironment } from "../infra/local/function-env.js";
import { LOCAL_NAMES } from "../infra/local-names.js";
import { rescoreSlice } from "../shared/app/rescoring/index.js";
import { allSlices } from "../shared/app/segments-batch.js";
import { DynamoProfileStore } from "../shared/aws/dynamo-profile-store.js";
import { loadEnv } from "../shared/lambda/env.js";
import { startBenchStack } from "./bench-stack.js";
import { BENCH_MODELS, serveBenchModels } from "./support/bench-models.js";
import { loadProfiles } from "./support/load-profiles.js";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { profiles: { type: "string", default: "20000" }, parts: { type: "string", default: "8" } },
});
const PROFILES = Number(values.profiles);
const PARTS = Number(values.parts);
const log = (line: string) => process.stderr.write(`${line}\n`);
const rate = (n: number, seconds: number) =>
  `${(n / seconds).toFixed(0)} profiles/s (${n} in ${seconds.toFixed(1)} s)`;

const dataDir = mkdtempSync(join(tmpdir(), "tailor-bench-segment-jobs-"));
const stack = await startBenchStack(dataDir, { pollers: false });
const dynamodb = new DynamoDBClient({});
try {
  const now = Date.now();
  log(`loading ${PROFILES} profiles (BatchWriteItem, 16 batches of 25 in flight)…`);
  const load = await loadProfiles({
    client: dynamodb,
    tableName: LOCAL_NAMES.profileTable,
    count: PROFILES,
    segmentsOf: () => [],
    now,
  });
  const models = await serveBenchModels(dataDir, log);
  const timers = stack.plan.functions.find((f) => f.name === LOCAL_NAMES.segmentTimersFunction);
  if (timers === undefined) throw new Error("the template has no segment timers function");
  const base = makeSegmentTimersDeps(loadEnv(segmentTimersEnvSchema, localFunctionEnvironment(timers)));
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: LOCAL_NAMES.profileTable });
  const rescore = async (parts: number) => {
    const started = performance.now();
    const deps = { ...base, scan: profiles, scorer: models.scorer(100) };
    const summaries = await Promise.all(
      allSlices(parts).map((slice) => rescoreSlice(deps, slice, { models: BENCH_MODELS, batchSize: 100 })),
    );
    return {
      profiles: summaries.reduce((n, s) => n + s.profiles, 0),
      seconds: (performance.now() - started) / 1000,
    };
  };
  // The first pass enters the customers into the score segments (transitions, counters, timers): untimed, so both
  // measured passes do the same work.
  log("rescoring warm-up pass…");
  await rescore(PARTS);
  log("rescoring, one slice…");
  const oneSlice = await rescore(1);
  log(`  ${rate(oneSlice.profiles, oneSlice.seconds)}`);
  log(`rescoring, ${PARTS} slices in parallel…`);
  const parallel = await rescore(PARTS);
  log(`  ${rate(parallel.profiles, parallel.seconds)}`);
  await models.stop();

  const job = async (parts: number) => {
    const started = performance.now();
    const out = await stack.startExecution(LOCAL_NAMES.segmentJobsStateMachine, { job: "recount", parts });
    return { out, seconds: (performance.now() - started) / 1000 };
  };
  log("segment jobs: recount, one part…");
  const oneJob = await job(1);
  log(`  ${oneJob.seconds.toFixed(1)} s`);
  log(`segment jobs: recount, ${PARTS} parts…`);
  const manyJob = await job(PARTS);
  const counted = (out: unknown) =>
    typeof out === "object" && out !== null && "profiles" in out && typeof out.profiles === "number"
      ? out.profiles
      : 0;

  process.stdout.write(
    `${[
      `segment jobs and rescoring at scale (local stack, ${PROFILES} profiles loaded at ${(load.written / load.seconds).toFixed(0)}/s with BatchWriteItem)`,
      `  rescoring, ${PARTS} slices in parallel  ${rate(parallel.profiles, parallel.seconds)}`,
      `  rescoring, one slice           ${rate(oneSlice.profiles, oneSlice.seconds)}`,
      `  ratio                          ${(parallel.profiles / parallel.seconds / (oneSlice.profiles / oneSlice.seconds)).toFixed(2)}×`,
      `  recount workflow, ${PARTS} parts     ${rate(counted(manyJob.out), manyJob.seconds)}`,
      `  recount workflow, one part     ${rate(counted(oneJob.out), oneJob.seconds)}`,
      `  ratio                          ${(oneJob.seconds / manyJob.seconds).toFixed(2)}×`,
    ].join("\n")}\n`,
  );
} finally {
  dynamodb.destroy();
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
