import { parseArgs } from "node:util";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { resolveDataDir } from "#infra/local/data-dir.js";
import { type LocalStack, startLocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import type { Clock } from "#shared/ports.js";
import { intFlag, portsFromFlags, quietFunctions, shopOptions, stringFlag } from "./cli-options.js";
import { finishShop, grantsMarketingEmail, segmentSizeLines, segmentSizes } from "./demo-finish.js";
import {
  planShop,
  readShopRecord,
  ShopClock,
  type ShopPlan,
  type ShopRecord,
  shopNow,
  writeShopRecord,
} from "./demo-shop.js";
import { count, duration, rate } from "./format.js";
import { identityLine } from "./identity-summary.js";
import { readProfile } from "./profile-command.js";
import { describeProfile } from "./profile-summary.js";
import { playRecipients, tallyLedger } from "./recipients-loop.js";
import { campaignLines, sumCounters, tallies } from "./run-summary.js";
import { untilSignal } from "./signals.js";
import { stackBanner } from "./stack-banner.js";
import { runTraffic, type TrafficResult } from "./traffic.js";

const DAY_MS = 86_400_000;

const startOptions = { ...shopOptions, exit: { type: "boolean", default: false } } as const;

type Values = ReturnType<typeof parseStartArgs>["values"];

function parseStartArgs(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: startOptions, strict: true });
}

/** How `startCommand` reads the wall clock (tests run it at chosen hours). */
export interface StartDeps {
  /** @default Date.now */
  readonly wallClock?: () => number;
}

const utc = (at: number) => `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
const day = (at: number) => new Date(at).toISOString().slice(0, 10);

/** What the run is about to do with the shop, in a sentence or two. */
function planLines(plan: ShopPlan, dataDir: string, values: Values): string[] {
  const fresh = "`npm start -- --fresh` starts a new shop";
  switch (plan.kind) {
    case "new": {
      const { sim } = plan;
      return [
        `simulating ${count(sim.customers)} customers over ${sim.days} days (seed ${sim.seed}), ` +
          `${day(sim.start)} to ${utc(plan.clockStart)}…`,
      ];
    }
    case "continue": {
      const { record, sim } = plan;
      const given = ["customers", "days", "seed"].filter((flag) => flagGiven(values, flag));
      return [
        `continuing the shop of ${dataDir} (seed ${record.seed}, ${count(record.customers)} customers, since ` +
          `${day(record.start)}): simulating ${utc(plan.from)} to ${utc(sim.start + sim.days * DAY_MS)}, ` +
          `only the events not yet put (${fresh})…`,
        ...(given.length > 0
          ? [`  (--${given.join(", --")} apply to a new shop only: the recorded shop is continued)`]
          : []),
      ];
    }
    case "up-to-date":
      return [
        `the shop of ${dataDir} (seed ${plan.record.seed}, ${count(plan.record.customers)} customers) is ` +
          `simulated up to ${utc(plan.record.until)} already: no new day to simulate before ${utc(plan.next)}, ` +
          `so no event is put again (${fresh}).`,
      ];
    case "unrecorded":
      return [
        `${dataDir} holds ${count(plan.profiles)} profiles that no \`tailor start\` recorded (from \`tailor simulate\` ` +
          `or an older version): the demo cannot tell which days they cover, so it adds none, rather than count ` +
          `events twice (${fresh}).`,
      ];
  }
}

function flagGiven(values: Values, flag: string): boolean {
  return Object.entries(values).some(([name, value]) => name === flag && value !== undefined);
}

/** The record this run leaves: how far the shop's events were put, and the clock. */
function nextRecord(plan: ShopPlan, result: TrafficResult | undefined, clock: Clock): ShopRecord | undefined {
  switch (plan.kind) {
    case "new":
    case "continue": {
      const { sim } = plan;
      const end = sim.start + sim.days * DAY_MS;
      // An interrupted run resumes at its last event put: that one is put again, and deduplicated by its id.
      const until = result === undefined || result.interrupted ? (result?.lastAt ?? plan.from) : end;
      return {
        version: 1,
        seed: sim.seed,
        customers: sim.customers,
        start: sim.start,
        until,
        clockAt: clock.now(),
      };
    }
    case "up-to-date":
      return { ...plan.record, clockAt: clock.now() };
    case "unrecorded":
      return undefined;
  }
}

/** The sample profile: a customer who was sent an email and grants marketing email, with their profile. */
async function sampleProfile(sentTo: readonly string[], dataDir: string, now: number): Promise<string[]> {
  for (const customerId of sentTo) {
    const profile = await readProfile(customerId, dataDir);
    if (profile === undefined || !grantsMarketingEmail(profile)) continue;
    return [
      "",
      "A sample profile (a customer who was sent email and consents to it):",
      ...describeProfile(profile, now).map((line) => `  ${line}`),
      "",
      "Where to look next:",
      `  npx tailor explain ${customerId}     (segments, sends and skipped sends with their reasons)`,
      `  npx tailor profile ${customerId} --json`,
      "  npx tailor segments              (every segment with its size)",
      "  npx tailor quarantine",
      "  npx tailor report              (experiments: variants, holdouts, lifts and verdicts, as an HTML page)",
    ];
  }
  return [];
}

/**
 * The demo, on a running stack: the shop's new events (or none), time-driven work, RFM and rescoring, the
 * recipients reading their mail, and the summary. Returns the summary lines.
 */
async function runDemo(
  stack: LocalStack,
  clock: ShopClock,
  plan: ShopPlan,
  values: Values,
  run: { readonly interrupted: () => boolean; readonly signal: Promise<unknown> },
): Promise<{ lines: string[]; record: ShopRecord | undefined }> {
  const counts = tallies();
  const kinesis = new KinesisClient({});
  const runStart = clock.now();
  try {
    for (const line of planLines(plan, stack.dataDir, values)) process.stderr.write(`${line}\n`);
    const started = performance.now();
    let result: TrafficResult | undefined;
    if (plan.kind === "new" || plan.kind === "continue") {
      result = await runTraffic({
        kinesis,
        streamName: LOCAL_NAMES.eventStream,
        traffic: {
          sim: plan.sim,
          from: plan.from,
          // The malformed records go with a new shop only: a continued one has had its share.
          malformed: plan.kind === "new" ? intFlag(values.malformed, "malformed", 7) : 0,
          rate: values.rate === undefined ? undefined : intFlag(values.rate, "rate", 0, 1),
        },
        figures: { counters: () => sumCounters(stack), tallies: counts.read },
        stopped: run.interrupted,
        drained: () =>
          Promise.race([stack.waitUntilIdle({ timeoutMs: 2 ** 31 - 1 }), run.signal]).then(() => {}),
      });
    }
    const seconds = (performance.now() - started) / 1000;
    const record = nextRecord(plan, result, clock);
    if (record !== undefined) writeShopRecord(stack.dataDir, record);
    const totals = sumCounters(stack);
    const lines: string[] = [run.interrupted() ? "Interrupted." : "Done."];
    if (result !== undefined) {
      lines.push(
        `  events put       ${count(result.put)} in ${duration(result.putSeconds * 1000)} (${rate(result.put, result.putSeconds)})`,
        `  ingested         ${count(totals.records)} in ${duration(seconds * 1000)} (${rate(totals.records, seconds)})` +
          ` · ${count(totals.batches)} batches`,
      );
    } else lines.push("  events put       none (see above)");
    if (run.interrupted()) {
      const final = await counts.read();
      lines.push(
        `  profiles         ${count(final.profiles)}`,
        `  quarantined      ${count(final.quarantined)}`,
      );
      return { lines, record };
    }
    // What a minute passing would do: time-driven work (due segment timers) done now, before the summary.
    const ticked = await stack.runSchedulesNow();
    process.stderr.write(
      "RFM scores, rescoring and customer clusters (`tailor segments rfm`, `tailor rescore`)…\n",
    );
    const finished = await finishShop(stack, clock);
    let played: Awaited<ReturnType<typeof playRecipients>> | undefined;
    const shop =
      plan.kind === "new" || plan.kind === "continue"
        ? plan.sim
        : plan.kind === "up-to-date"
          ? plan.record
          : undefined;
    if (shop !== undefined) {
      process.stderr.write("the simulated customers read their mail (opens, clicks, orders)…\n");
      // The customers read their mail over the next minutes of the shop's clock, moved on from one reaction to
      // the next (what they do is drawn per send, so every run of the shop reads alike).
      played = await playRecipients(stack, shop, {
        now: () => clock.now(),
        advanceTo: (at) => clock.advanceTo(at),
      });
    }
    const ledger = await tallyLedger(runStart);
    const sizes = await segmentSizes(stack, clock);
    const final = await counts.read();
    lines.push(
      `  profiles         ${count(final.profiles)}`,
      identityLine(await counts.identities()),
      `  quarantined      ${count(final.quarantined)}`,
      `  failed batches   ${count(totals.failures)} · retries ${count(totals.retries)} · given up ${count(totals.discarded)}`,
    );
    if (ticked.invocations > 0) {
      lines.push(
        `  schedules run    ${count(ticked.invocations)}` +
          (ticked.errors > 0 ? ` · ${count(ticked.errors)} failed (see the log above)` : ""),
      );
    }
    if (plan.kind !== "new") lines.push("  emails and recipients: this run's");
    lines.push(...campaignLines(played, ledger));
    lines.push("", `Scores and clusters (as of ${utc(clock.now())}, the shop's clock):`);
    lines.push(...finished.map((line) => `  ${line}`));
    lines.push("", "Segment sizes (exact, after RFM and rescoring):", ...segmentSizeLines(sizes));
    // A run that sent nothing (a shop already up to date) shows a customer an earlier run sent email to.
    const sentTo = ledger.sentTo.length > 0 ? ledger.sentTo : (await tallyLedger(0)).sentTo;
    lines.push(...(await sampleProfile(sentTo, stack.dataDir, clock.now())));
    lines.push(`  sent mail: ${stack.endpoints.sesWebView}`);
    if (stack.sms !== undefined) {
      lines.push(
        `  sent texts: ${stack.sms.url}/ (${stack.sms.sent().length} sent; reply STOP with POST /inbound)`,
      );
    }
    return { lines, record };
  } finally {
    kinesis.destroy();
    counts.close();
  }
}

/**
 * `tailor start` (`npm start`): up + the demo shop, a summary, then the stack stays up until Ctrl-C (or
 * `--exit`). The shop's clock is anchored at a fixed time of day (`SHOP_TIME_OF_DAY_MS`), so the result does
 * not depend on the hour it runs; the data dir records how far the shop got, so a second start continues it
 * over the days since (or says why it adds nothing) and never puts an event twice. The demo ends with what
 * `tailor segments rfm` and `tailor rescore` compute, and every segment's exact size. The model endpoints are
 * served from `--models` (default `.tailor/models`, trained on the first start).
 */
export async function startCommand(argv: readonly string[], deps: StartDeps = {}): Promise<number> {
  const { values } = parseStartArgs(argv);
  const wallNow = (deps.wallClock ?? Date.now)();
  const requested = {
    customers: intFlag(values.customers, "customers", 500),
    days: intFlag(values.days, "days", 30),
    seed: intFlag(values.seed, "seed", 42, Number.MIN_SAFE_INTEGER),
  };
  intFlag(values.malformed, "malformed", 7);
  const dataDirOption = stringFlag(values["data-dir"]);
  const known = values.fresh ? undefined : readShopRecord(resolveDataDir(dataDirOption));
  const clock = new ShopClock(Math.max(shopNow(wallNow), known?.clockAt ?? 0));
  let stopped = false;
  const signal = untilSignal().then(() => {
    stopped = true;
  });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stack = await startLocalStack({
    dataDir: dataDirOption,
    fresh: values.fresh,
    ports: portsFromFlags(values),
    log,
    detail: values.verbose ? log : () => {},
    env: quietFunctions(values.verbose, "ERROR"),
    models: { dir: stringFlag(values.models) },
    clock,
    // The demo runs the time-driven work at set points; the schedules tick on their own once it is ready.
    holdSchedules: true,
  });
  let record: ShopRecord | undefined;
  try {
    const counts = tallies();
    const profiles = await counts.read().finally(() => counts.close());
    const plan = planShop({
      record: readShopRecord(stack.dataDir),
      profiles: profiles.profiles,
      wallNow,
      requested,
    });
    const demo = await runDemo(stack, clock, plan, values, { interrupted: () => stopped, signal });
    record = demo.record;
    process.stdout.write(`${demo.lines.join("\n")}\n`);
    if (!values.exit && !stopped) {
      stack.startSchedules();
      process.stdout.write(`\n${stackBanner(stack, clock.now()).join("\n")}\nready (Ctrl-C to stop)\n`);
      await signal;
      process.stderr.write("stopping…\n");
    }
  } finally {
    // The clock the next start must not go back behind.
    if (record !== undefined) writeShopRecord(stack.dataDir, { ...record, clockAt: clock.now() });
    await stack.stop();
  }
  return 0;
}
