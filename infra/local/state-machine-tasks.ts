import { type HandlerLoader, handlerLoader, type LambdaHandler } from "./handler-loader.js";
import { LocalStackError } from "./local-errors.js";
import type { FunctionSpec } from "./resource-plan.js";
import type { StateMachineSpec } from "./state-machine-plan.js";
import type { TaskBinding } from "./state-machine-runner.js";

/** A Lambda handler that a Step Functions task state invokes with its input (`payloadResponseOnly`). */
export type StepFunctionTaskHandler = LambdaHandler;

/**
 * Binds each task state of `spec` to its function's handler: the export the function's `Handler` names, in
 * the module of its entry. `load` gives a function's handler; by default each module is loaded (once per
 * loader, and once per process as Node caches it) with that function's own environment, then `env`, in
 * `process.env`, because handlers read their environment when their module loads; `process.env` is put back
 * afterwards. The local stack passes its own loader, so a module its pollers already loaded is not loaded again.
 */
export async function bindStateMachineTasks(
  spec: StateMachineSpec,
  functions: readonly FunctionSpec[],
  env: Readonly<Record<string, string>> = {},
  load: HandlerLoader = handlerLoader({ env }),
): Promise<Record<string, TaskBinding>> {
  const bindings: Record<string, TaskBinding> = {};
  for (const [state, functionName] of Object.entries(spec.taskFunctions)) {
    const fn = functions.find((f) => f.name === functionName);
    if (fn === undefined) {
      throw new LocalStackError(
        `${spec.name}: ${functionName} (task state ${state}) is not a local function`,
      );
    }
    const handler = await load(fn);
    if (handler === undefined) {
      throw new LocalStackError(
        `${spec.name}: ${functionName} (task state ${state}) has no tailor:entry in the template ` +
          "(ProjectFunction writes it)",
      );
    }
    bindings[state] = {
      function: {
        functionName: fn.name,
        functionArn: fn.arn,
        memorySize: fn.memorySize,
        timeoutSeconds: fn.timeoutSeconds,
      },
      handler,
    };
  }
  return bindings;
}
