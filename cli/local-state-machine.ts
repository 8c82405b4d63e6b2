import { resolveDataDir } from "#infra/local/data-dir.js";
import { functionsEnvironment } from "#infra/local/function-env.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { type LocalStack, startLocalStack } from "#infra/local/local-stack.js";
import { planResources, type ResourcePlan } from "#infra/local/resource-plan.js";
import { applyEnvironment, localAccountId, localRegion, sdkEnvironment } from "#infra/local/sdk-env.js";
import { readStackState } from "#infra/local/stack-state.js";
import { planStateMachines, type StateMachineSpec } from "#infra/local/state-machine-plan.js";
import { portsFromFlags, quietFunctions } from "./cli-options.js";

/** How a state machine is run: on a stack of this process, or on the running stack of another. */
export type Target =
  | { readonly kind: "own"; readonly stack: LocalStack }
  | { readonly kind: "running"; readonly plan: ResourcePlan; readonly restore: () => void };

/**
 * The running stack of the data dir (its resources planned from the template, the SDK pointed at its emulators),
 * or a new one started here with no schedules, serving the models when `models` says so (trained first when the
 * folder has none).
 */
export async function openStack(
  values: {
    readonly "data-dir"?: string | undefined;
    readonly fresh: boolean;
    readonly verbose: boolean;
    readonly models: { readonly dir?: string | undefined } | false;
  },
  portValues: Readonly<Record<string, unknown>>,
  template: unknown,
  log: (line: string) => void,
): Promise<Target> {
  const running = readStackState(resolveDataDir(values["data-dir"]));
  if (running !== undefined && !values.fresh) {
    log(`using the running stack (pid ${running.pid})`);
    const plan = planResources(template, {
      region: localRegion,
      accountId: localAccountId,
      sqsEndpoint: running.endpoints.sqs,
    });
    const restore = applyEnvironment({
      ...sdkEnvironment(running.endpoints),
      ...functionsEnvironment(plan.functions, () => {}),
      ...quietFunctions(values.verbose, "WARN"),
    });
    return { kind: "running", plan, restore };
  }
  const stack: LocalStack = await startLocalStack({
    dataDir: values["data-dir"],
    fresh: values.fresh,
    ports: portsFromFlags(portValues),
    template,
    schedules: false,
    models: values.models === false ? false : { dir: values.models.dir },
    log,
    env: quietFunctions(values.verbose, "WARN"),
  });
  return { kind: "own", stack };
}

/** Closes what {@link openStack} opened: the stack it started (once its queues are drained), or the env. */
export async function closeStack(target: Target): Promise<void> {
  if (target.kind === "running") {
    target.restore();
    return;
  }
  await target.stack.waitUntilIdle({ timeoutMs: 120_000 }).catch(() => {});
  await target.stack.stop();
}

/** The state machine tagged `name` in the template, resolved against `plan`; says so when there is none. */
export function findStateMachine(template: unknown, plan: ResourcePlan, name: string): StateMachineSpec {
  const spec = planStateMachines(template, plan, { region: localRegion, accountId: localAccountId }).find(
    (machine) => machine.name === name,
  );
  if (spec === undefined) throw new LocalStackError(`the template has no state machine tagged ${name}`);
  return spec;
}
