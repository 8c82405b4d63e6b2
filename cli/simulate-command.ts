import { parseArgs } from "node:util";
import { DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { resolveDataDir } from "#infra/local/data-dir.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { type LocalStack, startLocalStack } from "#infra/local/local-stack.js";
import { localRegion } from "#infra/local/sdk-env.js";
import { resolvePorts } from "#infra/local/service-ports.js";
import { readStackState } from "#infra/local/stack-state.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import type { SimOptions } from "#shared/sim/index.js";
import { intFlag, portsFromFlags, quietFunctions, shopOptions, stringFlag } from "./cli-options.js";
import { count, duration, rate } from "./format.js";
import { sumCounters, tallies } from "./run-summary.js";
import { untilSignal } from "./signals.js";
import { runTraffic, type TrafficOptions } from "./traffic.js";

export { startCommand } from "./start-command.js";

const DAY_MS = 86_400_000;
const simulateOptions = {
  ...shopOptions,
  embedded: { type: "boolean", default: false },
  exit: { type: "boolean", default: false },
} as const;

function parseSimulateArgs(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: simulateOptions, strict: true });
}

type Values = ReturnType<typeof parseSimulateArgs>["values"];

/** Simulated time ends now: the shop's last `days` days, so windows and recency behave as on the day. */
function trafficOptions(values: Values, defaults: { customers: number; days: number; malformed: number }) {
  const days = intFlag(values.days, "days", defaults.days);
  const sim: SimOptions = {
    customers: intFlag(values.customers, "customers", defaults.customers),
    days,
    seed: intFlag(values.seed, "seed", 42, Number.MIN_SAFE_INTEGER),
    start: Math.floor((Date.now() - days * DAY_MS) / 60_000) * 60_000,
  };
  const ratePerSecond = values.rate === undefined ? undefined : intFlag(values.rate, "rate", 0, 1);
  const traffic: TrafficOptions = {
    sim,
    malformed: intFlag(values.malformed, "malformed", defaults.malformed),
    rate: ratePerSecond,
  };
  return traffic;
}

/** Runs the traffic through an embedded stack; prints the summary. Returns the stack, still running. */
async function embeddedRun(
  values: Values,
  traffic: TrafficOptions,
  interrupted: () => boolean,
  signal: Promise<unknown>,
  options: { models: boolean },
): Promise<LocalStack> {
  const stack = await startLocalStack({
    dataDir: stringFlag(values["data-dir"]),
    fresh: values.fresh,
    ports: portsFromFlags(values),
    log: (line) => process.stderr.write(`\n${line}\n`),
    detail: values.verbose ? (line) => process.stderr.write(`\n${line}\n`) : () => {},
    env: quietFunctions(values.verbose, "ERROR"),
    models: options.models ? { dir: stringFlag(values.models) } : false,
  });
  const counts = tallies();
  const kinesis = new KinesisClient({});
  try {
    const { sim } = traffic;
    process.stderr.write(
      `simulating ${count(sim.customers)} customers over ${sim.days} days (seed ${sim.seed})` +
        `${traffic.malformed > 0 ? ` with ${traffic.malformed} malformed records` : ""}…\n`,
    );
    const started = performance.now();
    const result = await runTraffic({
      kinesis,
      streamName: LOCAL_NAMES.eventStream,
      traffic,
      figures: { counters: () => sumCounters(stack), tallies: counts.read },
      stopped: interrupted,
      drained: () => Promise.race([stack.waitUntilIdle({ timeoutMs: 2 ** 31 - 1 }), signal]).then(() => {}),
    });
    const seconds = (performance.now() - started) / 1000;
    // What a minute passing would do: time-driven work (due segment timers) done now, before the summary.
    const ticked = result.interrupted ? undefined : await stack.runSchedulesNow();
    const final = await counts.read();
    const totals = sumCounters(stack);
    const lines = [
      result.interrupted ? "Interrupted." : "Done.",
      `  events put       ${count(result.put)} in ${duration(result.putSeconds * 1000)} (${rate(result.put, result.putSeconds)})`,
      `  ingested         ${count(totals.records)} in ${duration(seconds * 1000)} (${rate(totals.records, seconds)})` +
        ` · ${count(totals.batches)} batches`,
      `  profiles         ${count(final.profiles)}`,
      `  quarantined      ${count(final.quarantined)}`,
      `  failed batches   ${count(totals.failures)} · retries ${count(totals.retries)} · given up ${count(totals.discarded)}`,
    ];
    if (ticked !== undefined && ticked.invocations > 0) {
      lines.push(
        `  schedules run    ${count(ticked.invocations)}` +
          (ticked.errors > 0 ? ` · ${count(ticked.errors)} failed (see the log above)` : ""),
      );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  } finally {
    kinesis.destroy();
    counts.close();
  }
}

/** The Kinesis endpoint of a stack running elsewhere: its `stack.json`, the environment, or the port. */
function remoteKinesisEndpoint(values: Values): string {
  const running = readStackState(resolveDataDir(stringFlag(values["data-dir"])));
  if (running !== undefined) return running.endpoints.kinesis;
  const fromEnv = process.env.AWS_ENDPOINT_URL_KINESIS;
  if (fromEnv !== undefined && values["port-kinesis"] === undefined) return fromEnv;
  return `http://127.0.0.1:${resolvePorts(portsFromFlags(values)).kinesis}`;
}

/** `tailor simulate`: the simulator's traffic onto a running stack, or an embedded one with `--embedded`. */
export async function simulateCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseSimulateArgs(argv);
  const traffic = trafficOptions(values, { customers: 100, days: 7, malformed: 0 });
  let stopped = false;
  const signal = untilSignal().then(() => {
    stopped = true;
  });
  if (values.embedded) {
    const stack = await embeddedRun(values, traffic, () => stopped, signal, {
      models: values.models !== undefined,
    });
    await stack.stop();
    return 0;
  }

  const endpoint = remoteKinesisEndpoint(values);
  const kinesis = new KinesisClient({
    region: localRegion,
    endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    await kinesis
      .send(new DescribeStreamSummaryCommand({ StreamName: LOCAL_NAMES.eventStream }))
      .catch((error) => {
        throw new LocalStackError(
          `no stream ${LOCAL_NAMES.eventStream} at ${endpoint}: start a stack with \`npx tailor up\`, or pass --embedded`,
          error,
        );
      });
    const result = await runTraffic({
      kinesis,
      streamName: LOCAL_NAMES.eventStream,
      traffic,
      figures: {},
      stopped: () => stopped,
    });
    process.stdout.write(
      `${result.interrupted ? "Interrupted" : "Done"}: ${count(result.put)} events put on ${LOCAL_NAMES.eventStream} ` +
        `at ${endpoint} in ${duration(result.putSeconds * 1000)} (${rate(result.put, result.putSeconds)}); ` +
        "the stack's ingest processes them as they arrive (`npx tailor profile <id>`, `npx tailor quarantine`).\n",
    );
    return 0;
  } finally {
    kinesis.destroy();
  }
}
