import type { Context } from "aws-lambda";
import {
  type FanOutPartEvent,
  type FanOutPartResult,
  type FanOutPlan,
  type FinishFanOutInput,
  fanOutPart,
  fanOutPartInputSchema,
  finishFanOut,
  finishFanOutInputSchema,
  type PlanFanOutInput,
  planFanOut,
  planFanOutInputSchema,
} from "#shared/app/fanout/index.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { addCounts } from "#shared/lambda/reports/counts.js";
import type { FanOutRun } from "#shared/ports.js";
import { campaignFanOutEnvSchema } from "./env.js";
import { makeCampaignFanOutDeps } from "./make-deps.js";

const env = loadEnv(campaignFanOutEnvSchema);
const observability = observabilityFor(env);
const deps = makeCampaignFanOutDeps(env);

/** `Plan`: the run's occurrence, source and parts; its record started (a restart keeps the first plan). */
export async function runPlan(input: PlanFanOutInput, _context: Context): Promise<FanOutPlan> {
  const { campaignId, time, parts } = planFanOutInputSchema.parse(input);
  const plan = await planFanOut(
    deps,
    { campaignId, ...(time === undefined ? {} : { time }) },
    {
      profilesPerPart: env.FANOUT_PROFILES_PER_PART,
      membersPerPart: env.FANOUT_PROFILES_PER_PART,
      maxParts: env.FANOUT_MAX_PARTS,
      ...(parts === undefined ? {} : { parts }),
    },
  );
  observability.logger.info("campaign fan-out planned", { plan: { ...plan, items: plan.items.length } });
  return plan;
}

/** `Part`: one invocation of a part, within its time budget; returns where the part stands. */
export async function runPart(input: FanOutPartEvent, _context: Context): Promise<FanOutPartResult> {
  const part = fanOutPartInputSchema.parse(input);
  const result = await fanOutPart(deps, part, {
    budgetMs: env.FANOUT_PART_BUDGET_SECONDS * 1000,
    pageSize: env.FANOUT_PAGE_SIZE,
  });
  addCounts(observability.metrics, {
    FanOutProfilesRead: result.counts.read,
    AudienceMembers: result.counts.members,
    SendIntents: result.counts.enqueued + result.counts.timed,
    FanOutPartsDone: result.done ? 1 : 0,
  });
  return result;
}

/** `Finish`: marks the run finished; its record, the parts' counts summed, is the execution's output. */
export async function runFinish(input: FinishFanOutInput, _context: Context): Promise<FanOutRun> {
  const run = await finishFanOut(deps, finishFanOutInputSchema.parse(input));
  observability.logger.info("campaign fan-out finished", { run });
  return run;
}

const bundle = <I, O>() => baseMiddlewareBundle<I, O>(observability);
export const plan = bundle<PlanFanOutInput, FanOutPlan>().handler(runPlan);
export const part = bundle<FanOutPartEvent, FanOutPartResult>().handler(runPart);
export const finish = bundle<FinishFanOutInput, FanOutRun>().handler(runFinish);
