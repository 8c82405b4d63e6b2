import { StateMachine } from "aws-local-stepfunctions";
import { invokeWithTimeout } from "./invoke-handler.js";
import type { FunctionIdentity } from "./kinesis-event.js";
import { LocalStackError } from "./local-errors.js";
import { forEachState, type StateMachineSpec } from "./state-machine-plan.js";
import type { StepFunctionTaskHandler } from "./state-machine-tasks.js";
import { withStepFunctionsTaskTimeouts } from "./task-timeouts.js";

type JsonValue = Parameters<StateMachine["run"]>[0];

/** A task state bound to a local handler, invoked as that function with its timeout. */
export interface TaskBinding {
  readonly function: FunctionIdentity;
  readonly handler: StepFunctionTaskHandler;
}

/** What happened to one invocation of a task state (each retry is an invocation). */
export interface TaskOutcome {
  readonly state: string;
  readonly ok: boolean;
  /** The error's name when not ok. */
  readonly error?: string;
}

export interface RunStateMachineOptions {
  /** The execution's input. */
  readonly input: unknown;
  /** The task states' handlers by state name: every task state of the definition needs one. */
  readonly tasks: Readonly<Record<string, TaskBinding>>;
  /** Called after every task invocation (progress bars count the states they care about). */
  readonly onTask?: (outcome: TaskOutcome) => void;
  /**
   * The pause before every retry, in milliseconds, instead of `IntervalSeconds` and `BackoffRate` (tests).
   * @default - the definition's own
   */
  readonly retryIntervalMs?: number;
}

function isJson(value: unknown): value is JsonValue {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return true;
  if (Array.isArray(value)) return value.every(isJson);
  return typeof value === "object" && Object.values(value).every(isJson);
}

/** A value as Lambda hands it to Step Functions: through JSON (dates become strings, `undefined` goes). */
function asJson(value: unknown): JsonValue {
  const parsed: unknown = JSON.parse(JSON.stringify(value ?? null));
  if (!isJson(parsed)) throw new LocalStackError("a task returned what is not JSON");
  return parsed;
}

function taskStates(states: unknown): string[] {
  const names: string[] = [];
  forEachState(states, (name, state) => {
    if (state.Type === "Task") names.push(name);
  });
  return names;
}

/**
 * Runs a state machine in this process with aws-local-stepfunctions (JSONPath definitions): each task state
 * calls its bound handler as Lambda would (a Lambda-like context, the function's timeout, the result through
 * JSON); `Map`, `Retry` and `Catch` behave as on Step Functions, and so do task timeouts (a task state without
 * `TimeoutSeconds` is bounded by its function's timeout, not the library's 60 s default: task-timeouts.ts). Resolves with the execution's output, or
 * rejects with the library's `ExecutionError` when the execution fails.
 */
export async function runStateMachine(
  spec: StateMachineSpec,
  options: RunStateMachineOptions,
): Promise<unknown> {
  const states = taskStates(spec.definition.States);
  const missing = states.filter((state) => options.tasks[state] === undefined);
  if (missing.length > 0) {
    throw new LocalStackError(`${spec.name}: no local handler for the task state(s) ${missing.join(", ")}`);
  }
  const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
  const retryIntervals: Record<string, number> = {};
  for (const state of states) {
    const binding = options.tasks[state];
    if (binding === undefined) continue;
    if (options.retryIntervalMs !== undefined) retryIntervals[state] = options.retryIntervalMs;
    handlers[state] = async (input) => {
      try {
        const output = asJson(await invokeWithTimeout(binding.function, binding.handler, input));
        options.onTask?.({ state, ok: true });
        return output;
      } catch (error) {
        options.onTask?.({ state, ok: false, error: error instanceof Error ? error.name : "Error" });
        throw error;
      }
    };
  }
  const machine = new StateMachine(withStepFunctionsTaskTimeouts(spec.definition), {
    validationOptions: { checkArn: false },
  });
  const execution = machine.run(asJson(options.input), {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retryIntervals },
  });
  return execution.result;
}
