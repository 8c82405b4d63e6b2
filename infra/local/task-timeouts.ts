import type { StateMachineDefinition } from "aws-local-stepfunctions";
import { LocalStackError } from "./local-errors.js";
import { isStateMachineDefinition } from "./state-machine-plan.js";

/**
 * Step Functions' own default `TimeoutSeconds` of a Task state: 99,999,999 seconds, i.e. a task is bounded by its
 * Lambda function's timeout and the execution's, not by the state. aws-local-stepfunctions instead fails a task
 * state without `TimeoutSeconds` after 60 seconds with `States.Timeout`, so a fan-out part or a rescoring slice
 * that works for minutes within its function's timeout would fail locally and never on AWS.
 */
export const AWS_DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;

/**
 * The longest timeout a Node timer holds (2^31 - 1 ms): a longer delay fires at once. The local default, about
 * 24.8 days, stands in for {@link AWS_DEFAULT_TASK_TIMEOUT_SECONDS}; the function's own timeout still applies.
 */
export const LOCAL_DEFAULT_TASK_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function withStates(container: Record<string, unknown>): Record<string, unknown> {
  const states = container.States;
  if (!isRecord(states)) return container;
  return {
    ...container,
    States: Object.fromEntries(Object.entries(states).map(([name, state]) => [name, withTimeout(state)])),
  };
}

function withTimeout(state: unknown): unknown {
  if (!isRecord(state)) return state;
  let out: Record<string, unknown> = { ...state };
  if (out.Type === "Task" && out.TimeoutSeconds === undefined && out.TimeoutSecondsPath === undefined) {
    out.TimeoutSeconds = LOCAL_DEFAULT_TASK_TIMEOUT_SECONDS;
  } else if (
    typeof out.TimeoutSeconds === "number" &&
    out.TimeoutSeconds > LOCAL_DEFAULT_TASK_TIMEOUT_SECONDS
  ) {
    out.TimeoutSeconds = LOCAL_DEFAULT_TASK_TIMEOUT_SECONDS;
  }
  for (const key of ["ItemProcessor", "Iterator"]) {
    const nested = out[key];
    if (isRecord(nested)) out = { ...out, [key]: withStates(nested) };
  }
  const branches = out.Branches;
  if (Array.isArray(branches)) {
    out = { ...out, Branches: branches.map((branch) => (isRecord(branch) ? withStates(branch) : branch)) };
  }
  return out;
}

/**
 * `definition` with every Task state (in Map item processors and Parallel branches too) that sets no
 * `TimeoutSeconds` or `TimeoutSecondsPath` given {@link LOCAL_DEFAULT_TASK_TIMEOUT_SECONDS}, and any longer one cut
 * to it: the task timeouts Step Functions applies, within what a Node timer can hold.
 */
export function withStepFunctionsTaskTimeouts(definition: StateMachineDefinition): StateMachineDefinition {
  const out = { ...definition, States: withStates({ States: definition.States }).States };
  if (!isStateMachineDefinition(out)) throw new LocalStackError("a state machine definition lost its States");
  return out;
}
