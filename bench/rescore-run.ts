/**
 * The rescoring benchmark, in a process of its own (`bench/rescore.bench.ts` starts it): profiles of simulated
 * customers in the local stack's DynamoDB, the models `tailor train` trains served by the model server over the
 * SageMaker runtime protocol, and the rescoring of every slice (features, scores, tiers, segment re-evaluation, one
 * conditional write per profile), batched (100 rows per InvokeEndpoint) against one row per call.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { segmentTimersEnvSchema } from "../functions/segment-timers/env.js";
import { makeSegmentTimersDeps } from "../functions/segment-timers/make-deps.js";
import { localFunctionEnvironment } from "../infra/local/function-env.js";
import { LOCAL_NAMES } from "../infra/local-names.js";
import { rescoreSlice } from "../shared/app/rescoring/index.js";
import { DynamoProfileStore } from "../shared/aws/dynamo-profile-store.js";
import { parseEvent, type TailorEvent } from "../shared/domain/events/index.js";
import { foldEvents } from "../shared/domain/profile/index.js";
import { loadEnv } from "../shared/lambda/env.js";
import { simulate } from "../shared/sim/index.js";
import { startBenchStack } from "./bench-stack.js";
import { BENCH_MODELS, serveBenchModels } from "./support/bench-models.js";

const CUSTOMERS = 1000;
const MODELS = BENCH_MODELS;
const log = (line: string) => process.stderr.write(`${line}\n`);

const dataDir = mkdtempSync(join(tmpdir(), "tailor-bench-rescore-"));
const stack = await startBenchStack(dataDir, { pollers: false });
const dynamodb = new DynamoDBClient({});
try {
  const server = await serveBenchModels(dataDir, log);

  log(`folding ${CUSTOMERS} simulated customers into profiles…`);
  const now = Date.now();
  const byCustomer = new Map<string, TailorEvent[]>();
  for (const { event } of simulate({ customers: CUSTOMERS, days: 30, seed: 5, start: now - 30 * 864e5 })) {
    const parsed = parseEvent(event, now);
    if (!parsed.ok) continue;
    const list = byCustomer.get(parsed.event.customerId) ?? [];
    list.push(parsed.event);
    byCustomer.set(parsed.event.customerId, list);
  }
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: LOCAL_NAMES.profileTable });
  const ids = [...byCustomer.keys()];
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids
        .slice(i, i + 50)
        .map((id) =>
          profiles.put(foldEvents(undefined, id, byCustomer.get(id) ?? [], now).profile, undefined),
        ),
    );
  }

  const timers = stack.plan.functions.find((f) => f.name === LOCAL_NAMES.segmentTimersFunction);
  if (timers === undefined) throw new Error("the template has no segment timers function");
  const base = makeSegmentTimersDeps(loadEnv(segmentTimersEnvSchema, localFunctionEnvironment(timers)));
  const run = async (rowsPerCall: number) => {
    const scorer = server.scorer(rowsPerCall);
    const started = performance.now();
    let scored = 0;
    const slices = 4;
    for (let segment = 0; segment < slices; segment++) {
      const summary = await rescoreSlice(
        { ...base, scan: profiles, scorer },
        { segment, totalSegments: slices },
        {
          models: MODELS,
          batchSize: 100,
        },
      );
      scored += summary.scored;
    }
    return { scored, seconds: (performance.now() - started) / 1000 };
  };
  // A first pass enters the customers into the model-score segments (transitions, counters, timers): untimed, so
  // both measured passes do the same work apart from how they call the endpoint.
  log("warm-up pass…");
  await run(100);
  log("baseline: one row per InvokeEndpoint…");
  const single = await run(1);
  log("Tailor: 100 rows per InvokeEndpoint…");
  const batched = await run(100);
  await server.stop();

  const rate = batched.scored / batched.seconds;
  const baseline = single.scored / single.seconds;
  process.stdout.write(
    `${[
      `rescoring (local stack: profiles in DynamoDB, ${MODELS.length} models served over the SageMaker runtime protocol, segments re-evaluated, one write per profile)`,
      `  Tailor    ${rate.toFixed(0)} profiles/s (${batched.scored} in ${batched.seconds.toFixed(1)} s; 100 rows per call)`,
      `  baseline  ${baseline.toFixed(0)} profiles/s (one row per call)`,
      `  ratio     ${(rate / baseline).toFixed(1)}×`,
    ].join("\n")}\n`,
  );
} finally {
  dynamodb.destroy();
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
