import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { useRuntimeClock } from "#shared/lambda/runtime-clock.js";
import type { Clock } from "#shared/ports.js";
import { sesSendEventFor } from "#shared/sim/ses-events.js";
import { LOCAL_NAMES, SMS_LOCAL_NAMES } from "../local-names.js";
import { type ArchiveDelivery, startArchiveDeliveries } from "./archive-delivery.js";
import { CheckpointStore } from "./checkpoint-store.js";
import { dataSubdir } from "./data-dir.js";
import { type Emulators, type Endpoints, startEmulators } from "./emulators.js";
import {
  type EventRuleTarget,
  LocalEventBus,
  type LocalEventRule,
  type PublishedEvent,
  type PublishResult,
} from "./event-bus.js";
import { functionsEnvironment } from "./function-env.js";
import { handlerLoader, type LambdaHandler } from "./handler-loader.js";
import type { FunctionIdentity } from "./kinesis-event.js";
import { KinesisPoller } from "./kinesis-poller.js";
import { seedLocalCatalog } from "./local-catalog.js";
import { seedLocalContent } from "./local-content.js";
import { type LocalEndpoints, startLocalEndpoints } from "./local-endpoints.js";
import { LocalStackError } from "./local-errors.js";
import {
  type LocalSchedule,
  LocalScheduler,
  type ScheduledFunctionTarget,
  type ScheduledTarget,
  type ScheduleRun,
} from "./local-scheduler.js";
import { type LocalSms, startLocalSms } from "./local-sms.js";
import { endpointNames, type LocalModels, namedEndpoints, startLocalModels } from "./model-server-runner.js";
import { type FunctionSpec, planResources, type ResourcePlan } from "./resource-plan.js";
import { createResources } from "./resources.js";
import { applyEnvironment, localAccountId, localRegion } from "./sdk-env.js";
import { type Ports, resolvePorts } from "./service-ports.js";
import type { SmsServer } from "./sms-server.js";
import { SqsPoller } from "./sqs-poller.js";
import { clearStackState, writeStackState } from "./stack-state.js";
import { stackTemplate } from "./stack-template.js";
import { planStateMachineSchedules, planStateMachines, type StateMachineSpec } from "./state-machine-plan.js";
import { runStateMachine, type TaskBinding, type TaskOutcome } from "./state-machine-runner.js";
import { bindStateMachineTasks } from "./state-machine-tasks.js";
import type { TargetInput } from "./target-input.js";

export interface LocalStackOptions {
  /** State folder; default `.tailor/data` under the working directory. */
  readonly dataDir?: string;
  /** Wipe the data dir first. */
  readonly fresh?: boolean;
  /** DynamoDB's tables in memory, gone when the stack stops (as the emulators' `dynamodbInMemory`). */
  readonly dynamodbInMemory?: boolean;
  /**
   * Per-service ports, the HTTP API's included (`0`: any free port); unset ones from `TAILOR_PORT_<SERVICE>`,
   * then the defaults.
   */
  readonly ports?: Partial<Ports>;
  /** Run the functions behind their event source mappings. Default true. */
  readonly pollers?: boolean;
  /** Run the functions behind their EventBridge schedules. Default: as `pollers`. */
  readonly schedules?: boolean;
  /**
   * Hold the schedules' clocks until {@link LocalStack.startSchedules}: the demo runs time-driven work itself
   * (`runSchedulesNow`) at set points, so a tick landing at a random moment of its run does not change it.
   * @default false
   */
  readonly holdSchedules?: boolean;
  /**
   * The period of every schedule, instead of its `rate(...)`: tests and demos tick faster than a minute.
   * @default - each rule's own rate
   */
  readonly scheduleIntervalMs?: number;
  /** Where progress and warnings go. Default: stderr. */
  readonly log?: (line: string) => void;
  /**
   * Where the details of starting go: the template's resources not created locally (by their CDK logical
   * ids), the resources created or found. The CLI shows them with `--verbose` only.
   * @default - `log`
   */
  readonly detail?: (line: string) => void;
  /**
   * The CloudFormation template, or a function producing it.
   * @default - {@link stackTemplate}: the file `TAILOR_TEMPLATE_FILE` names, else the CDK app synthesised
   *   in-process, without bundling
   */
  readonly template?: unknown;
  /**
   * Handlers by function local name, called instead of the function's own (the module of its `tailor:entry`),
   * whatever invokes it: a stream or queue poller, a rule, an HTTP API route, a task state (tests).
   * @default - every function runs its own handler
   */
  readonly handlers?: Readonly<Record<string, LambdaHandler>>;
  /**
   * Serve the model endpoints the functions name (`MODEL_ENDPOINTS`, `RECOMMENDER_ENDPOINT`) with a local
   * model server of the artifacts in `dir` (default `.tailor/models`; trained first, a few seconds, when it
   * has none). Off: the functions' `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME` points at a port that refuses
   * connections, so scoring fails fast (scores are kept) and recommendations fall back.
   * @default false
   */
  readonly models?: { readonly dir?: string } | false;
  /**
   * The clock of the functions (installed as `runtimeClock` until `stop()`), of the schedules' tick times and of
   * the pollers' record times: tests move it forward to make delays fall due without waiting.
   * @default - the system clock
   */
  readonly clock?: Clock;
  /**
   * Run the deployed code: each function's bundle from the code assets written in `dir` by `writeFunctionAssets`
   * (`infra/function-assets.ts`), loaded alone, with paths of its environment inside its asset (see
   * `handlerLoader`), instead of its sources.
   * @default - the sources
   */
  readonly bundles?: { readonly dir: string };
  /** Variables set after the functions' own (e.g. a quieter log level for the CLI). */
  readonly env?: Readonly<Record<string, string>>;
  /** Poller timing; Lambda-like defaults. */
  readonly pollerTiming?: { readonly idlePollMaxMs?: number; readonly retryDelayMs?: number };
}

/** The local names of what the stack created and runs, by kind. */
export interface LocalNames {
  readonly streams: readonly string[];
  readonly tables: readonly string[];
  readonly buckets: readonly string[];
  readonly queues: readonly string[];
  readonly functions: readonly string[];
  readonly schedules: readonly string[];
  /** Event-pattern rules of the default bus. */
  readonly eventRules: readonly string[];
  /** The Step Functions state machines {@link LocalStack.startExecution} runs. */
  readonly stateMachines: readonly string[];
}

/** How {@link LocalStack.startExecution} runs an execution. */
export interface StartExecutionOptions {
  /** Called after every task invocation (progress bars count the states they care about). */
  readonly onTask?: (outcome: TaskOutcome) => void;
  /** The pause before every retry, in ms, instead of the definition's (tests). */
  readonly retryIntervalMs?: number;
}

/** A running embedded stack. */
export interface LocalStack {
  readonly endpoints: Endpoints;
  readonly ports: Ports;
  readonly dataDir: string;
  readonly names: LocalNames;
  /** What was read from the template: resources, resolved function environments, mapping settings. */
  readonly plan: ResourcePlan;
  /** The variables that point SDK clients at the stack (also set in this process). */
  readonly env: Readonly<Record<string, string>>;
  readonly pollers: readonly KinesisPoller[];
  /** The pollers of the SQS event source mappings. */
  readonly sqsPollers: readonly SqsPoller[];
  /** The Firehose delivery streams of the template (the raw event archive), run as stream consumers. */
  readonly archives: readonly ArchiveDelivery[];
  /** Runs the schedules (none when `schedules` is off); its counters say what they did. */
  readonly scheduler: LocalScheduler;
  /** The default event bus with the template's event-pattern rules (none when `schedules` is off). */
  readonly eventBus: LocalEventBus;
  /**
   * The local URL of the HTTP API (`http://127.0.0.1:<port>`, no trailing slash), which the functions'
   * `PUBLIC_API_URL` and the like point at; `undefined` when the template has none.
   */
  readonly apiUrl: string | undefined;
  /** Secret name → the local file holding its value (`LINK_SECRET_FILE` of the functions). */
  readonly secretFiles: ReadonlyMap<string, string>;
  /**
   * The URL of the model server standing in for the SageMaker endpoints the functions name
   * (`AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`); `undefined` when `models` is off.
   */
  readonly modelsUrl: string | undefined;
  /**
   * The End User Messaging SMS emulator (`AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`, its web view at `/`), started
   * when the template has SMS on; `undefined` otherwise.
   */
  readonly sms: SmsServer | undefined;
  /** The state machines of the template, their definitions resolved to the local functions. */
  readonly stateMachines: readonly StateMachineSpec[];
  /** Function local name → the module file its handler was imported from (a source or a bundle), once loaded. */
  readonly handlerModules: ReadonlyMap<string, string>;
  /**
   * Runs an execution of the state machine `name` (a local name of `names.stateMachines`) with `input`, in this
   * process, to its end: each task state calls its function's handler, loaded as the stack's other handlers are
   * (once, with the function's own environment). Resolves the execution's output; rejects when it fails.
   */
  startExecution(name: string, input: unknown, options?: StartExecutionOptions): Promise<unknown>;
  /**
   * Fires one tick of every schedule (or of the rules named in `only`) now, after any tick in flight, and
   * resolves when every target is done: what a minute passing does to time-driven work (the segment timers'
   * rule makes due timers fire, delayed sends included), without waiting for it.
   */
  runSchedulesNow(only?: readonly string[]): Promise<ScheduleRun>;
  /** Starts the schedules' clocks held by `holdSchedules` (nothing when they run already). */
  startSchedules(): void;
  /** Puts an event on the default bus and resolves once every matching rule's targets are done. */
  publishEvent(event: PublishedEvent): Promise<PublishResult>;
  /**
   * Resolves once every record put on a stream and every message sent to a polled queue before the call has
   * been handled, including what handling them put on other streams and queues.
   */
  waitUntilIdle(options?: { timeoutMs?: number }): Promise<void>;
  /** Stops the scheduler and the pollers (finishing their work), the emulators, and restores `process.env`. */
  stop(): Promise<void>;
}

function clients(endpoints: Endpoints) {
  const base = { region: localRegion, credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  return {
    dynamodb: new DynamoDBClient({ ...base, endpoint: endpoints.dynamodb }),
    // HTTP/1.1 with keep-alive: the pollers read many small responses; the h2c front serves unchanged clients.
    kinesis: new KinesisClient({
      ...base,
      endpoint: endpoints.kinesis,
      requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true } }),
    }),
    s3: new S3Client({ ...base, endpoint: endpoints.s3, forcePathStyle: true }),
    sqs: new SQSClient({ ...base, endpoint: endpoints.sqs }),
  };
}

/** The function as a Lambda-like context and the invokers know it. */
function identityOf(fn: FunctionSpec): FunctionIdentity {
  return {
    functionName: fn.name,
    functionArn: fn.arn,
    memorySize: fn.memorySize,
    timeoutSeconds: fn.timeoutSeconds,
  };
}

/**
 * Where the functions' SageMaker runtime client goes when the models are off: a loopback port nothing listens on
 * (binding port 1 needs privileges), so a call is refused at once and never reaches AWS.
 */
export const UNSERVED_MODELS_URL = "http://127.0.0.1:1";

/** A number that changes whenever any poller handles something. */
function progress(pollers: readonly KinesisPoller[], sqsPollers: readonly SqsPoller[]): number {
  const kinesis = pollers.reduce((sum, p) => sum + p.counters.batches + p.counters.discarded, 0);
  return sqsPollers.reduce((sum, p) => sum + p.counters.batches, kinesis);
}

/**
 * Waits for every poller until a whole round handled nothing new: a stream's handler may send to a queue whose
 * handler puts on a stream, so one pass is not enough.
 */
async function waitForAll(
  pollers: readonly KinesisPoller[],
  sqsPollers: readonly SqsPoller[],
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const before = progress(pollers, sqsPollers);
    const timeoutMs = Math.max(1, deadline - Date.now());
    await Promise.all(pollers.map((poller) => poller.waitUntilIdle({ timeoutMs })));
    await Promise.all(sqsPollers.map((poller) => poller.waitUntilIdle({ timeoutMs })));
    if (progress(pollers, sqsPollers) === before) return;
  }
}

/** The configuration set named in a local `Send` event when the request named none. */
const DEFAULT_CONFIGURATION_SET = "tailor";
/** How long stopping waits for executions that rules started. */
const FOLLOW_ON_GRACE_MS = 60_000;

const unmapped = (fn: FunctionSpec, kind: string) =>
  `${fn.name} (${kind}) has no tailor:entry in the template (ProjectFunction writes it): not run`;

/**
 * Starts the embedded local stack in this process: the emulators, the resources the synthesised CDK template
 * declares (created idempotently), the functions' environments from the template in `process.env`, each
 * function's handler behind a poller driven by its event source mapping's settings, and behind a scheduler
 * driven by its EventBridge schedule rules (which also start the template's Step Functions state machines), the
 * state machines runnable by name (`startExecution`), and, with `models`, a model server for the SageMaker
 * endpoints the functions name.
 *
 * Handler modules are imported once per process (Node caches modules and their SDK clients): run one stack
 * with real handlers per process, or pass `handlers`.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const detail = options.detail ?? log;
  const emulators: Emulators = await startEmulators({
    dataDir: options.dataDir,
    fresh: options.fresh,
    dynamodbInMemory: options.dynamodbInMemory,
    ports: options.ports,
  });
  const sdk = clients(emulators.endpoints);
  const restores: (() => void)[] = [];
  const pollers: KinesisPoller[] = [];
  const sqsPollers: SqsPoller[] = [];
  const archives: ArchiveDelivery[] = [];
  let scheduler: LocalScheduler | undefined;
  let endpoints: LocalEndpoints | undefined;
  let models: LocalModels | undefined;
  let sms: LocalSms | undefined;
  const clock = options.clock;
  if (clock !== undefined) restores.push(useRuntimeClock(clock));
  const now = clock === undefined ? Date.now : () => clock.now();
  const shutdown = async () => {
    await scheduler?.stop();
    await endpoints?.close();
    await Promise.all(pollers.map((poller) => poller.stop()));
    await Promise.all(sqsPollers.map((poller) => poller.stop()));
    await Promise.all(archives.map((archive) => archive.stop()));
    await models?.stop();
    await sms?.stop();
    for (const restore of restores.reverse()) restore();
    for (const client of Object.values(sdk)) client.destroy();
    clearStackState(emulators.dataDir);
    await emulators.stop();
  };

  try {
    const source = options.template ?? stackTemplate;
    const template: unknown = typeof source === "function" ? await source() : source;
    const cloudPlan = planResources(template, {
      region: localRegion,
      accountId: localAccountId,
      sqsEndpoint: emulators.endpoints.sqs,
    });
    const planOptions = { region: localRegion, accountId: localAccountId };
    const stateMachines = planStateMachines(template, cloudPlan, planOptions);
    // The resource plan does not know the state machines: the rules that start one are planned again here.
    const machineRules = planStateMachineSchedules(template, cloudPlan, stateMachines, planOptions);
    const aboutTakenOver = (note: string) =>
      [...machineRules.ruleIds].some((id) => note.startsWith(`${id}:`) || note.startsWith(`${id} `));
    for (const note of cloudPlan.notes) if (!aboutTakenOver(note)) detail(note);
    for (const note of machineRules.notes) detail(note);
    const plannedSchedules = cloudPlan.schedules.filter((spec) => !machineRules.ruleIds.has(spec.logicalId));
    await createResources(cloudPlan, sdk, detail);
    const seeded = await seedLocalContent(sdk.dynamodb, now());
    if (seeded > 0)
      detail(`content: seeded the demo library (${seeded} items) into ${LOCAL_NAMES.contentTable}`);
    const local = await startLocalEndpoints(cloudPlan, {
      dataDir: emulators.dataDir,
      apiPort: resolvePorts(options.ports).api,
      log,
      now,
      templates: options.bundles === undefined,
    });
    endpoints = local;
    if (cloudPlan.tables.some((table) => table.name === LOCAL_NAMES.catalogTable)) {
      const products = await seedLocalCatalog(sdk.dynamodb, LOCAL_NAMES.catalogTable, local.demoProducts);
      if (products > 0) detail(`catalog: seeded ${products} products from the simulator's demo shop`);
    }
    const plan: ResourcePlan = {
      ...cloudPlan,
      functions: local.functions,
      schedules: [...plannedSchedules, ...machineRules.schedules],
      eventRules: [
        ...cloudPlan.eventRules.filter((spec) => !machineRules.ruleIds.has(spec.logicalId)),
        ...machineRules.eventRules,
      ],
    };

    restores.push(applyEnvironment(functionsEnvironment(plan.functions, log)));
    // Before any handler module loads: handlers create their SDK clients (the SageMaker runtime's too) at load.
    const named = namedEndpoints(plan.functions);
    const modelEndpoints = endpointNames(named);
    const modelsOption = options.models ?? false;
    if (modelsOption !== false) {
      models = await startLocalModels({
        dir: modelsOption.dir,
        endpoints: named.models,
        recommenderEndpoints: named.recommenders,
        applyEnv: false,
        log,
      });
      log(`models: ${models.server.url} serves the endpoints ${modelEndpoints.join(", ") || "(none named)"}`);
    } else if (modelEndpoints.length > 0) {
      log(
        `models off: the endpoints ${modelEndpoints.join(", ")} are not served ` +
          "(scores are kept, recommendations fall back to best sellers)",
      );
    }
    const modelsEnv: Record<string, string> =
      models !== undefined
        ? { ...models.env }
        : modelEndpoints.length > 0
          ? { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: UNSERVED_MODELS_URL }
          : {};
    restores.push(applyEnvironment(modelsEnv));
    // SMS on: the emulator in place of End User Messaging SMS, before dispatch's module makes its client.
    const smsFeedback = plan.functions.find((fn) => fn.name === SMS_LOCAL_NAMES.smsFeedbackFunction);
    if (smsFeedback !== undefined) {
      sms = await startLocalSms({
        port: resolvePorts(options.ports).sms,
        feedback: async () => {
          const handler = await loadHandler(smsFeedback);
          return handler === undefined ? undefined : { function: identityOf(smsFeedback), handler };
        },
        log,
        now,
      }).catch((error: unknown) => {
        throw new LocalStackError(
          `cannot start the SMS emulator on port ${resolvePorts(options.ports).sms}: pick another with --port-sms or TAILOR_PORT_SMS (0 = any free port)`,
          error,
        );
      });
      restores.push(applyEnvironment(sms.env));
    }
    if (options.env !== undefined) restores.push(applyEnvironment(options.env));
    const handlerModules = new Map<string, string>();
    const loadHandler = handlerLoader({
      env: { ...modelsEnv, ...options.env },
      handlers: options.handlers,
      bundlesDir: options.bundles?.dir,
      onLoad: (fn, file) => handlerModules.set(fn.name, file),
    });
    const functionNamed = (name: string) => plan.functions.find((f) => f.name === name);

    const runPollers = options.pollers ?? true;
    if (runPollers) {
      const checkpointDir = dataSubdir(emulators.dataDir, "checkpoints");
      for (const mapping of plan.kinesisMappings) {
        const fn = functionNamed(mapping.functionName);
        if (fn === undefined) continue;
        const handler = await loadHandler(fn);
        if (handler === undefined) {
          log(unmapped(fn, "Kinesis"));
          continue;
        }
        const queue = mapping.onFailure;
        pollers.push(
          new KinesisPoller({
            kinesis: sdk.kinesis,
            streamName: mapping.streamName,
            streamArn: mapping.streamArn,
            function: identityOf(fn),
            handler,
            settings: mapping.settings,
            checkpoints: new CheckpointStore(
              CheckpointStore.fileFor(checkpointDir, fn.name, mapping.streamName),
            ),
            onFailure:
              queue === undefined
                ? undefined
                : async (record) => {
                    await sdk.sqs.send(
                      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(record) }),
                    );
                  },
            log,
            idlePollMaxMs: options.pollerTiming?.idlePollMaxMs,
            retryDelayMs: options.pollerTiming?.retryDelayMs,
            now,
            arrivalsOnClock: clock !== undefined,
          }),
        );
      }
      await Promise.all(pollers.map((poller) => poller.start()));
      for (const mapping of plan.sqsMappings) {
        const fn = functionNamed(mapping.functionName);
        if (fn === undefined) continue;
        const handler = await loadHandler(fn);
        if (handler === undefined) {
          log(unmapped(fn, "SQS"));
          continue;
        }
        const poller = new SqsPoller({
          sqs: sdk.sqs,
          queueUrl: mapping.queueUrl,
          queueArn: mapping.queueArn,
          queueName: mapping.queueName,
          function: identityOf(fn),
          handler,
          settings: mapping.settings,
          log,
          now,
        });
        sqsPollers.push(poller);
        poller.start();
      }
      const deliveries = await startArchiveDeliveries({
        specs: plan.deliveryStreams,
        kinesis: sdk.kinesis,
        s3: sdk.s3,
        region: localRegion,
        log,
        now,
        arrivalsOnClock: clock !== undefined,
        transformOf: async (name) => {
          const fn = functionNamed(name);
          const handler = fn === undefined ? undefined : await loadHandler(fn);
          return fn === undefined || handler === undefined
            ? undefined
            : { function: identityOf(fn), handler };
        },
        checkpointsFor: (name, stream) =>
          new CheckpointStore(CheckpointStore.fileFor(checkpointDir, name, stream)),
      });
      archives.push(...deliveries);
    }

    for (const api of local.apis) {
      for (const route of api.spec.routes) {
        const fn = functionNamed(route.functionName);
        if (fn === undefined || local.apiFunctions.has(fn.name)) continue;
        const handler = await loadHandler(fn);
        if (handler === undefined) log(unmapped(fn, "HTTP API"));
        else local.apiFunctions.set(fn.name, { function: identityOf(fn), handler });
      }
    }

    const runRules = options.schedules ?? runPollers;
    /** The targets of a rule whose handlers are known, by the kind of handler the rule invokes. */
    const targetsOf = async (
      specs: readonly { readonly functionName: string; readonly input?: TargetInput }[],
      kind: "scheduled" | "events",
    ): Promise<ScheduledFunctionTarget[]> => {
      const targets: ScheduledFunctionTarget[] = [];
      for (const target of specs) {
        const fn = functionNamed(target.functionName);
        if (fn === undefined) continue;
        const handler = await loadHandler(fn);
        if (handler === undefined) log(unmapped(fn, kind === "scheduled" ? "scheduled" : "EventBridge"));
        else targets.push({ function: identityOf(fn), handler, input: target.input });
      }
      return targets;
    };
    const boundTasks = new Map<string, Promise<Record<string, TaskBinding>>>();
    let stopped = false;
    const startExecution = async (
      name: string,
      input: unknown,
      runOptions: StartExecutionOptions = {},
    ): Promise<unknown> => {
      if (stopped) throw new LocalStackError("the local stack is stopped");
      const spec = stateMachines.find((machine) => machine.name === name);
      if (spec === undefined) {
        const known = stateMachines.map((machine) => machine.name).join(", ") || "none";
        throw new LocalStackError(`no state machine ${name} in the template (it has: ${known})`);
      }
      let binding = boundTasks.get(name);
      if (binding === undefined) {
        binding = bindStateMachineTasks(spec, plan.functions, {}, loadHandler);
        // A failed binding (a missing handler) is reported again next time rather than cached.
        binding.catch(() => boundTasks.delete(name));
        boundTasks.set(name, binding);
      }
      const startedAt = now();
      const executionArn = `${spec.arn.replace(":stateMachine:", ":execution:")}:${randomUUID()}`;
      let status: "SUCCEEDED" | "FAILED" = "FAILED";
      try {
        const output = await runStateMachine(spec, { input, tasks: await binding, ...runOptions });
        status = "SUCCEEDED";
        return output;
      } finally {
        // What Step Functions puts on the default bus when an execution ends: rules on it (the segment jobs after
        // a rescoring run) start what they start, as on AWS.
        track(
          publishEvent({
            source: "aws.states",
            "detail-type": "Step Functions Execution Status Change",
            resources: [executionArn],
            detail: {
              executionArn,
              stateMachineArn: spec.arn,
              name: executionArn.slice(executionArn.lastIndexOf(":") + 1),
              status,
              startDate: startedAt,
              stopDate: now(),
              input: JSON.stringify(input ?? {}),
            },
          }),
        );
      }
    };
    /** Work started by events (executions started by rules, their status events): what idle and stop wait for. */
    const followOns = new Set<Promise<unknown>>();
    const track = (work: Promise<unknown>) => {
      const tracked: Promise<unknown> = work
        .catch((error: unknown) => log(`local stack: ${String(error)}`))
        .finally(() => followOns.delete(tracked));
      followOns.add(tracked);
    };
    let publishEvent: (event: PublishedEvent) => Promise<unknown> = async () => undefined;
    const schedules: LocalSchedule[] = [];
    const eventRules: LocalEventRule[] = [];
    if (runRules) {
      for (const spec of plan.schedules) {
        const targets: ScheduledTarget[] = await targetsOf(spec.targets, "scheduled");
        for (const target of spec.stateMachineTargets ?? []) {
          const name = target.stateMachineName;
          targets.push({
            stateMachine: name,
            input: target.input,
            start: (input) => startExecution(name, input),
          });
        }
        if (targets.length > 0) schedules.push({ ...spec, targets });
      }
      for (const spec of plan.eventRules) {
        const targets: EventRuleTarget[] = await targetsOf(spec.targets, "events");
        for (const target of spec.stateMachineTargets ?? []) {
          const name = target.stateMachineName;
          targets.push({
            stateMachine: name,
            input: target.input,
            start: (input) => track(startExecution(name, input)),
          });
        }
        if (targets.length > 0)
          eventRules.push({ name: spec.name, arn: spec.arn, pattern: spec.pattern, targets });
      }
    }
    const running = new LocalScheduler({ schedules, intervalMs: options.scheduleIntervalMs, log, now });
    scheduler = running;
    let schedulesStarted = false;
    const startSchedules = () => {
      if (schedulesStarted) return;
      schedulesStarted = true;
      running.start();
    };
    if (options.holdSchedules !== true) startSchedules();
    const eventBus = new LocalEventBus({ rules: eventRules, log, now });
    publishEvent = (event) => eventBus.publish(event);
    // SES publishes a `Send` event for every email it accepts; the emulator does not: the stack does it for it.
    const sendEvents = new Set<Promise<unknown>>();
    restores.push(
      emulators.onSesAccepted((send) => {
        const event = sesSendEventFor({
          ...send,
          at: now(),
          configurationSetName: send.configurationSetName ?? DEFAULT_CONFIGURATION_SET,
        });
        const published: Promise<unknown> = eventBus
          .publish(event)
          .catch((error: unknown) =>
            log(`SES Send event of ${send.messageId} not published: ${String(error)}`),
          )
          .finally(() => sendEvents.delete(published));
        sendEvents.add(published);
      }),
    );
    writeStackState(emulators.dataDir, emulators.endpoints);

    return {
      endpoints: emulators.endpoints,
      ports: {
        ...emulators.ports,
        api: local.apis[0]?.server.port ?? resolvePorts(options.ports).api,
        sms: sms === undefined ? resolvePorts(options.ports).sms : Number(new URL(sms.server.url).port),
      },
      dataDir: emulators.dataDir,
      names: {
        streams: plan.streams.map((s) => s.name),
        tables: plan.tables.map((t) => t.name),
        buckets: plan.buckets.map((b) => b.name),
        queues: plan.queues.map((q) => q.name),
        functions: plan.functions.map((f) => f.name),
        schedules: plan.schedules.map((s) => s.name),
        eventRules: plan.eventRules.map((r) => r.name),
        stateMachines: stateMachines.map((m) => m.name),
      },
      plan,
      env: models === undefined ? emulators.env : { ...emulators.env, ...models.env },
      pollers,
      sqsPollers,
      archives,
      scheduler: running,
      eventBus,
      apiUrl: local.apis[0]?.server.url,
      secretFiles: local.secretFiles,
      modelsUrl: models?.server.url,
      sms: sms?.server,
      stateMachines,
      handlerModules,
      startExecution,
      runSchedulesNow: (only) => running.runNow(only),
      startSchedules,
      publishEvent: (event) => eventBus.publish(event),
      waitUntilIdle: async (waitOptions) => {
        await waitForAll(pollers, sqsPollers, waitOptions);
        if (sms !== undefined) {
          // Texts sent meanwhile fed their events back onto the stream: fold those too.
          await sms.waitUntilIdle();
          await waitForAll(pollers, sqsPollers, waitOptions);
        }
        await Promise.allSettled([...sendEvents]);
        await Promise.all(archives.map((archive) => archive.waitUntilIdle(waitOptions)));
        // Executions started by events may start others (rescoring → segment jobs): until none is left.
        while (followOns.size > 0) await Promise.allSettled([...followOns]);
      },
      stop: async () => {
        if (stopped) return;
        // Executions that rules started (the segment jobs after a rescoring run) finish first, for a minute at most.
        const settled = Promise.allSettled([...followOns]).then(() => true);
        const finished = await Promise.race([settled, delay(FOLLOW_ON_GRACE_MS, false, { ref: false })]);
        if (!finished)
          log(`local stack: stopping with ${followOns.size} execution(s) started by rules still running`);
        stopped = true;
        await shutdown();
      },
    };
  } catch (error) {
    await shutdown().catch(() => {});
    if (error instanceof LocalStackError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new LocalStackError(`the local stack did not start: ${reason}`, error);
  }
}
