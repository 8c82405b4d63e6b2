import { type LocalStack, startLocalStack } from "#infra/local/local-stack.js";
import type { Clock } from "#shared/ports.js";

/**
 * The whole local stack with its real handlers, for end-to-end tests: fresh, any free ports, quiet, the test's
 * clock, and schedules that tick only when the test asks (`runSchedulesNow`). `env` adds function variables
 * (e.g. a folder of campaigns made for the test).
 */
export function startTestStack(options: {
  readonly dataDir: string;
  readonly clock: Clock;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<LocalStack> {
  return startLocalStack({
    dataDir: options.dataDir,
    fresh: true,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0 },
    clock: options.clock,
    scheduleIntervalMs: 24 * 3_600_000,
    log: () => {},
    env: { POWERTOOLS_LOG_LEVEL: "ERROR", POWERTOOLS_METRICS_DISABLED: "true", ...options.env },
  });
}
