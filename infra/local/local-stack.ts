import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { useRuntimeClock } from "../../shared/lambda/runtime-clock.js";
import type { Clock } from "../../shared/ports.js";
import type { ApiHandler } from "./api-event.js";
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
import { functionsEnvironment, localFunctionEnvironment } from "./function-env.js";
import { type FunctionHandlers, handlerModules } from "./handler-modules.js";
import type { FunctionIdentity, KinesisHandler } from "./kinesis-event.js";
import { KinesisPoller } from "./kinesis-poller.js";
import { type LocalEndpoints, startLocalEndpoints } from "./local-endpoints.js";
import { LocalStackError } from "./local-errors.js";
import { type LocalSchedule, LocalScheduler, type ScheduleRun } from "./local-scheduler.js";
import { type FunctionSpec, planResources, type ResourcePlan } from "./resource-plan.js";
import { createResources } from "./resources.js";
import type { EventTargetHandler } from "./scheduled-event.js";
import { applyEnvironment, localAccountId, localRegion } from "./sdk-env.js";
import { type Ports, resolvePorts } from "./service-ports.js";
import type { SqsHandler } from "./sqs-event.js";
import { SqsPoller } from "./sqs-poller.js";
import { clearStackState, writeStackState } from "./stack-state.js";
import type { TargetInput } from "./target-input.js";

export interface LocalStackOptions {
  /** State folder; default `.tailor/data` under the working directory. */
  readonly dataDir?: string;
  /** Wipe the data dir first. */
  readonly fresh?: boolean;
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
   * The period of every schedule, instead of its `rate(...)`: tests and demos tick faster than a minute.
   * @default - each rule's own rate
   */
  readonly scheduleIntervalMs?: number;
  /** Where progress and warnings go. Default: stderr. */
  readonly log?: (line: string) => void;
  /**
   * The CloudFormation template, or a function producing it.
   * @default - `synthTemplate()` of `infra/app.ts`: the CDK app synthesised in-process, without bundling
   */
  readonly template?: unknown;
  /** Kinesis handlers by function local name, instead of importing the real modules (tests). */
  readonly handlers?: Readonly<Record<string, KinesisHandler>>;
  /** Scheduled-event handlers by function local name, instead of importing the real modules (tests). */
  readonly scheduledHandlers?: Readonly<Record<string, EventTargetHandler>>;
  /** SQS handlers by function local name, instead of importing the real modules (tests). */
  readonly sqsHandlers?: Readonly<Record<string, SqsHandler>>;
  /** Event-pattern rule target handlers by function local name, instead of the real modules (tests). */
  readonly eventHandlers?: Readonly<Record<string, EventTargetHandler>>;
  /** HTTP API handlers by function local name, instead of importing the real modules (tests). */
  readonly apiHandlers?: Readonly<Record<string, ApiHandler>>;
  /**
   * The clock of the functions (installed as `runtimeClock` until `stop()`), of the schedules' tick times and of
   * the pollers' record times: tests move it forward to make delays fall due without waiting.
   * @default - the system clock
   */
  readonly clock?: Clock;
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
   * Fires one tick of every schedule (or of the rules named in `only`) now, after any tick in flight, and
   * resolves when every target is done: what a minute passing does to time-driven work (the segment timers'
   * rule makes due timers fire, delayed sends included), without waiting for it.
   */
  runSchedulesNow(only?: readonly string[]): Promise<ScheduleRun>;
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

async function defaultTemplate(): Promise<unknown> {
  const { synthTemplate } = await import("../app.js");
  return synthTemplate();
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
 * Loads each function's handler module once, with that function's own environment (then `overrides`) in
 * `process.env` while the module loads: handlers read their environment at load time, and two functions may
 * set a variable differently (their service names). `process.env` is put back afterwards.
 */
function handlerLoader(overrides: Readonly<Record<string, string>> | undefined) {
  const loaded = new Map<string, Promise<FunctionHandlers>>();
  return (fn: FunctionSpec): Promise<FunctionHandlers> => {
    const known = loaded.get(fn.name);
    if (known !== undefined) return known;
    const load = handlerModules[fn.name];
    const loading = (async () => {
      if (load === undefined) return {};
      const restore = applyEnvironment({ ...localFunctionEnvironment(fn), ...overrides });
      try {
        return await load();
      } finally {
        restore();
      }
    })();
    loaded.set(fn.name, loading);
    return loading;
  };
}

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

const unmapped = (fn: FunctionSpec, kind: string) =>
  `no ${kind} handler is mapped for ${fn.name} (see infra/local/handler-modules.ts): not run`;

/**
 * Starts the embedded local stack in this process: the emulators, the resources the synthesised CDK template
 * declares (created idempotently), the functions' environments from the template in `process.env`, each
 * function's handler behind a poller driven by its event source mapping's settings, and behind a scheduler
 * driven by its EventBridge schedule rules.
 *
 * Handler modules are imported once per process (Node caches modules and their SDK clients): run one stack
 * with real handlers per process, or pass `handlers` and `scheduledHandlers`.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emulators: Emulators = await startEmulators({
    dataDir: options.dataDir,
    fresh: options.fresh,
    ports: options.ports,
  });
  const sdk = clients(emulators.endpoints);
  const restores: (() => void)[] = [];
  const pollers: KinesisPoller[] = [];
  const sqsPollers: SqsPoller[] = [];
  let scheduler: LocalScheduler | undefined;
  let endpoints: LocalEndpoints | undefined;
  const clock = options.clock;
  if (clock !== undefined) restores.push(useRuntimeClock(clock));
  const now = clock === undefined ? Date.now : () => clock.now();
  const shutdown = async () => {
    await scheduler?.stop();
    await endpoints?.close();
    await Promise.all(pollers.map((poller) => poller.stop()));
    await Promise.all(sqsPollers.map((poller) => poller.stop()));
    for (const restore of restores.reverse()) restore();
    for (const client of Object.values(sdk)) client.destroy();
    clearStackState(emulators.dataDir);
    await emulators.stop();
  };

  try {
    const source = options.template ?? defaultTemplate;
    const template: unknown = typeof source === "function" ? await source() : source;
    const cloudPlan = planResources(template, {
      region: localRegion,
      accountId: localAccountId,
      sqsEndpoint: emulators.endpoints.sqs,
    });
    for (const note of cloudPlan.notes) log(note);
    await createResources(cloudPlan, sdk, log);
    const local = await startLocalEndpoints(cloudPlan, {
      dataDir: emulators.dataDir,
      apiPort: resolvePorts(options.ports).api,
      log,
      now,
    });
    endpoints = local;
    const plan: ResourcePlan = { ...cloudPlan, functions: local.functions };

    restores.push(applyEnvironment(functionsEnvironment(plan.functions, log)));
    if (options.env !== undefined) restores.push(applyEnvironment(options.env));
    const loadHandlers = handlerLoader(options.env);
    const functionNamed = (name: string) => plan.functions.find((f) => f.name === name);

    const runPollers = options.pollers ?? true;
    if (runPollers) {
      const checkpointDir = dataSubdir(emulators.dataDir, "checkpoints");
      for (const mapping of plan.kinesisMappings) {
        const fn = functionNamed(mapping.functionName);
        if (fn === undefined) continue;
        const handler = options.handlers?.[fn.name] ?? (await loadHandlers(fn)).kinesis;
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
        const handler = options.sqsHandlers?.[fn.name] ?? (await loadHandlers(fn)).sqs;
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
    }

    for (const api of local.apis) {
      for (const route of api.spec.routes) {
        const fn = functionNamed(route.functionName);
        if (fn === undefined || local.apiFunctions.has(fn.name)) continue;
        const handler = options.apiHandlers?.[fn.name] ?? (await loadHandlers(fn)).api;
        if (handler === undefined) log(unmapped(fn, "HTTP API"));
        else local.apiFunctions.set(fn.name, { function: identityOf(fn), handler });
      }
    }

    const runRules = options.schedules ?? runPollers;
    /** The targets of a rule whose handlers are known, by the kind of handler the rule invokes. */
    const targetsOf = async (
      specs: readonly { readonly functionName: string; readonly input?: TargetInput }[],
      kind: "scheduled" | "events",
    ): Promise<EventRuleTarget[]> => {
      const targets: EventRuleTarget[] = [];
      for (const target of specs) {
        const fn = functionNamed(target.functionName);
        if (fn === undefined) continue;
        const given = kind === "scheduled" ? options.scheduledHandlers : options.eventHandlers;
        const handler = given?.[fn.name] ?? (await loadHandlers(fn))[kind];
        if (handler === undefined) log(unmapped(fn, kind === "scheduled" ? "scheduled" : "EventBridge"));
        else targets.push({ function: identityOf(fn), handler, input: target.input });
      }
      return targets;
    };
    const schedules: LocalSchedule[] = [];
    const eventRules: LocalEventRule[] = [];
    if (runRules) {
      for (const spec of plan.schedules) {
        const targets = await targetsOf(spec.targets, "scheduled");
        if (targets.length > 0) schedules.push({ ...spec, targets });
      }
      for (const spec of plan.eventRules) {
        const targets = await targetsOf(spec.targets, "events");
        if (targets.length > 0)
          eventRules.push({ name: spec.name, arn: spec.arn, pattern: spec.pattern, targets });
      }
    }
    const running = new LocalScheduler({ schedules, intervalMs: options.scheduleIntervalMs, log, now });
    scheduler = running;
    running.start();
    const eventBus = new LocalEventBus({ rules: eventRules, log, now });
    writeStackState(emulators.dataDir, emulators.endpoints);

    let stopped = false;
    return {
      endpoints: emulators.endpoints,
      ports: { ...emulators.ports, api: local.apis[0]?.server.port ?? resolvePorts(options.ports).api },
      dataDir: emulators.dataDir,
      names: {
        streams: plan.streams.map((s) => s.name),
        tables: plan.tables.map((t) => t.name),
        buckets: plan.buckets.map((b) => b.name),
        queues: plan.queues.map((q) => q.name),
        functions: plan.functions.map((f) => f.name),
        schedules: plan.schedules.map((s) => s.name),
        eventRules: plan.eventRules.map((r) => r.name),
      },
      plan,
      env: emulators.env,
      pollers,
      sqsPollers,
      scheduler: running,
      eventBus,
      apiUrl: local.apis[0]?.server.url,
      secretFiles: local.secretFiles,
      runSchedulesNow: (only) => running.runNow(only),
      publishEvent: (event) => eventBus.publish(event),
      waitUntilIdle: (waitOptions) => waitForAll(pollers, sqsPollers, waitOptions),
      stop: async () => {
        if (stopped) return;
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
