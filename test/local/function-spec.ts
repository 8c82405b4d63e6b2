import type { FunctionSpec } from "#infra/local/resource-plan.js";

/** A planned function named `name` with `environment`, for tests of how the local stack prepares functions. */
export function functionSpec(name: string, environment: Record<string, string>): FunctionSpec {
  return {
    logicalId: name,
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    environment,
    memorySize: 128,
    timeoutSeconds: 3,
    entry: undefined,
    handler: "handler",
  };
}
