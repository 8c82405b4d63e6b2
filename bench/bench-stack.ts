import { type LocalStack, startLocalStack } from "../infra/local/local-stack.js";

/**
 * The embedded local stack for a benchmark: fresh in `dataDir`, any free ports, the functions quiet; without
 * `pollers`, nothing drives the handlers (the benchmark calls what it measures itself).
 */
export function startBenchStack(
  dataDir: string,
  options: { readonly pollers?: boolean } = {},
): Promise<LocalStack> {
  return startLocalStack({
    dataDir,
    fresh: true,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0, sms: 0 },
    ...(options.pollers === false ? { pollers: false } : {}),
    log: () => undefined,
    env: { POWERTOOLS_METRICS_DISABLED: "true", POWERTOOLS_LOG_LEVEL: "ERROR" },
  });
}
