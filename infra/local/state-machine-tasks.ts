import type { Context } from "aws-lambda";
import { type HandlerLoader, handlerLoader } from "./handler-loader.js";
import { LocalStackError } from "./local-errors.js";
import type { FunctionSpec } from "./resource-plan.js";
import type { StateMachineSpec } from "./state-machine-plan.js";
import type { TaskBinding } from "./state-machine-runner.js";

/**
 * A Lambda handler that a Step Functions task state invokes with its input (`payloadResponseOnly`), so any
 * JSON. Declared as a method signature so that a handler typed for the input it expects is accepted: the
 * handler validates its input itself.
 */
export type StepFunctionTaskHandler = {
  handle(input: unknown, context: Context): Promise<unknown>;
}["handle"];

/**
 * Which handler export of a function each task state invokes, by the state machine's local name and then the
 * state's name: on AWS each state's Lambda has its own handler setting; locally one module exports them all.
 */
export const stateMachineTaskExports: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "tailor-rescore": { Plan: "plan", Clusters: "cluster", RescoreSlice: "slice", Finish: "finish" },
};

/**
 * Binds each task state of `spec` to its function's handler export. `load` gives a function's handlers; by
 * default each module is loaded (once per loader, and once per process as Node caches it) with that function's
 * own environment, then `env`, in `process.env`, because handlers read their environment when their module
 * loads; `process.env` is put back afterwards. The local stack passes its own loader, so a module its pollers
 * already loaded is not loaded again.
 */
export async function bindStateMachineTasks(
  spec: StateMachineSpec,
  functions: readonly FunctionSpec[],
  env: Readonly<Record<string, string>> = {},
  load: HandlerLoader = handlerLoader(env),
): Promise<Record<string, TaskBinding>> {
  const exportsOf = stateMachineTaskExports[spec.name] ?? {};
  const bindings: Record<string, TaskBinding> = {};
  for (const [state, functionName] of Object.entries(spec.taskFunctions)) {
    const fn = functions.find((f) => f.name === functionName);
    if (fn === undefined) {
      throw new LocalStackError(
        `${spec.name}: ${functionName} (task state ${state}) is not a local function`,
      );
    }
    const tasks = (await load(fn)).stepFunctionTasks;
    if (tasks === undefined) {
      throw new LocalStackError(
        `${spec.name}: no local handler module for ${functionName} (task state ${state}; ` +
          "see infra/local/handler-modules.ts)",
      );
    }
    const exportName = exportsOf[state] ?? "handler";
    const handler = tasks[exportName];
    if (handler === undefined) {
      throw new LocalStackError(
        `${spec.name}: ${functionName} has no task handler "${exportName}" for ${state}`,
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
