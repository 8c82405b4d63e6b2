import type { LambdaHandler } from "#infra/local/handler-loader.js";
import { type LocalStack, startLocalStack } from "#infra/local/local-stack.js";
import { stackTemplate } from "#infra/local/stack-template.js";
import type { Clock } from "#shared/ports.js";

/**
 * The whole local stack with its real handlers, for end-to-end tests: fresh, any free ports, quiet, the test's
 * clock, and schedules that tick only when the test asks (`runSchedulesNow`). `env` adds function variables
 * (e.g. a folder of campaigns made for the test).
 */
export async function startTestStack(options: {
  readonly dataDir: string;
  /**
   * The functions' and the stack's clock. Deployed bundles (`bundles`) carry their own and read the system's.
   * @default - the system clock
   */
  readonly clock?: Clock;
  /** Run the functions' deployed bundles written in this folder (`writeFunctionAssets`), not their sources. */
  readonly bundles?: { readonly dir: string };
  readonly env?: Readonly<Record<string, string>>;
  /** Shards of the event stream (the synthesised template's count when absent), for tests across shards. */
  readonly streamShards?: number;
  /** Handlers standing in for functions, by local name (a fault injected into one). */
  readonly handlers?: Readonly<Record<string, LambdaHandler>>;
  /** Poller timing (a short retry delay makes a failing batch reach its on-failure destination fast). */
  readonly pollerTiming?: { readonly idlePollMaxMs?: number; readonly retryDelayMs?: number };
  /** The template to run (an app synthesised with other settings, e.g. SMS on). @default the shared synth */
  readonly template?: unknown;
}): Promise<LocalStack> {
  const shards = options.streamShards;
  const template = options.template ?? (shards === undefined ? undefined : await stackTemplate());
  return startLocalStack({
    ...(template === undefined
      ? {}
      : { template: shards === undefined ? template : withStreamShards(template, shards) }),
    dataDir: options.dataDir,
    fresh: true,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0, sms: 0 },
    clock: options.clock,
    bundles: options.bundles,
    scheduleIntervalMs: 24 * 3_600_000,
    log: () => {},
    env: testStackEnv(options.env),
    ...(options.handlers === undefined ? {} : { handlers: options.handlers }),
    ...(options.pollerTiming === undefined ? {} : { pollerTiming: options.pollerTiming }),
  });
}

/** The variables a test stack sets after the functions' own: quiet logs, no metrics, then `env`. */
export function testStackEnv(env?: Readonly<Record<string, string>>): Record<string, string> {
  return { POWERTOOLS_LOG_LEVEL: "ERROR", POWERTOOLS_METRICS_DISABLED: "true", ...env };
}

/** The template with every Kinesis stream given `shards` provisioned shards. */
function withStreamShards(template: unknown, shards: number): unknown {
  const copy: unknown = structuredClone(template);
  const resources = isRecord(copy) && isRecord(copy.Resources) ? copy.Resources : {};
  for (const resource of Object.values(resources)) {
    if (!isRecord(resource) || resource.Type !== "AWS::Kinesis::Stream") continue;
    const properties = isRecord(resource.Properties) ? resource.Properties : {};
    const { StreamModeDetails: _mode, ...rest } = properties;
    resource.Properties = { ...rest, ShardCount: shards };
  }
  return copy;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
