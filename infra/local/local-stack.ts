import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { CheckpointStore } from "./checkpoint-store.js";
import { dataSubdir } from "./data-dir.js";
import { type Emulators, type Endpoints, startEmulators } from "./emulators.js";
import { handlerModules } from "./handler-modules.js";
import type { KinesisHandler } from "./kinesis-event.js";
import { KinesisPoller } from "./kinesis-poller.js";
import { LocalStackError } from "./local-errors.js";
import { type FunctionSpec, planResources, type ResourcePlan } from "./resource-plan.js";
import { createResources } from "./resources.js";
import { applyEnvironment, localAccountId, localRegion } from "./sdk-env.js";
import type { Ports } from "./service-ports.js";
import { clearStackState, writeStackState } from "./stack-state.js";

export interface LocalStackOptions {
  /** State folder; default `.tailor/data` under the working directory. */
  readonly dataDir?: string;
  /** Wipe the data dir first. */
  readonly fresh?: boolean;
  /** Per-service ports (`0`: any free port); unset ones from `TAILOR_PORT_<SERVICE>`, then the defaults. */
  readonly ports?: Partial<Ports>;
  /** Run the functions behind their event source mappings. Default true. */
  readonly pollers?: boolean;
  /** Where progress and warnings go. Default: stderr. */
  readonly log?: (line: string) => void;
  /**
   * The CloudFormation template, or a function producing it.
   * @default - `synthTemplate()` of `infra/app.ts`: the CDK app synthesised in-process, without bundling
   */
  readonly template?: unknown;
  /** Handlers by function local name, instead of importing the real modules (tests). */
  readonly handlers?: Readonly<Record<string, KinesisHandler>>;
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
  /** Resolves once every record put before the call has been handled by every poller. */
  waitUntilIdle(options?: { timeoutMs?: number }): Promise<void>;
  /** Stops the pollers (finishing their batches), the emulators, and restores `process.env`. */
  stop(): Promise<void>;
}

// Lambda runtime options, not application configuration: meaningless inside this process.
const RUNTIME_ONLY_VARIABLES = new Set(["NODE_OPTIONS", "AWS_NODEJS_CONNECTION_REUSE_ENABLED"]);

async function defaultTemplate(): Promise<unknown> {
  const { synthTemplate } = await import("../app.js");
  return synthTemplate();
}

/** The union of the functions' environments; a variable two functions set differently is reported. */
function functionsEnvironment(functions: readonly FunctionSpec[], log: (line: string) => void) {
  const env: Record<string, string> = {};
  const owner = new Map<string, string>();
  for (const fn of functions) {
    for (const [key, value] of Object.entries(fn.environment)) {
      if (RUNTIME_ONLY_VARIABLES.has(key)) continue;
      const previous = env[key];
      if (previous !== undefined && previous !== value) {
        log(
          `warning: ${key} is "${previous}" for ${owner.get(key)} but "${value}" for ${fn.name}; using the first`,
        );
        continue;
      }
      env[key] = value;
      owner.set(key, fn.name);
    }
  }
  return env;
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

/**
 * Starts the embedded local stack in this process: the emulators, the resources the synthesised CDK template
 * declares (created idempotently), the functions' environments from the template in `process.env`, and each
 * function's handler behind a poller driven by its event source mapping's settings.
 *
 * Handler modules are imported once per process (Node caches modules and their SDK clients): run one stack
 * with real handlers per process, or pass `handlers`.
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
  const shutdown = async () => {
    await Promise.all(pollers.map((poller) => poller.stop()));
    for (const restore of restores.reverse()) restore();
    for (const client of Object.values(sdk)) client.destroy();
    clearStackState(emulators.dataDir);
    await emulators.stop();
  };

  try {
    const source = options.template ?? defaultTemplate;
    const template: unknown = typeof source === "function" ? await source() : source;
    const plan = planResources(template, {
      region: localRegion,
      accountId: localAccountId,
      sqsEndpoint: emulators.endpoints.sqs,
    });
    for (const note of plan.notes) log(note);
    await createResources(plan, sdk, log);

    restores.push(applyEnvironment(functionsEnvironment(plan.functions, log)));
    if (options.env !== undefined) restores.push(applyEnvironment(options.env));

    if (options.pollers ?? true) {
      const checkpointDir = dataSubdir(emulators.dataDir, "checkpoints");
      for (const mapping of plan.kinesisMappings) {
        const fn = plan.functions.find((f) => f.name === mapping.functionName);
        if (fn === undefined) continue;
        const handler = options.handlers?.[fn.name] ?? (await handlerModules[fn.name]?.());
        if (handler === undefined) {
          log(`no handler module is mapped for ${fn.name} (see infra/local/handler-modules.ts): not run`);
          continue;
        }
        const queue = mapping.onFailure;
        pollers.push(
          new KinesisPoller({
            kinesis: sdk.kinesis,
            streamName: mapping.streamName,
            streamArn: mapping.streamArn,
            function: {
              functionName: fn.name,
              functionArn: fn.arn,
              memorySize: fn.memorySize,
              timeoutSeconds: fn.timeoutSeconds,
            },
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
          }),
        );
      }
      await Promise.all(pollers.map((poller) => poller.start()));
    }
    writeStackState(emulators.dataDir, emulators.endpoints);

    let stopped = false;
    return {
      endpoints: emulators.endpoints,
      ports: emulators.ports,
      dataDir: emulators.dataDir,
      names: {
        streams: plan.streams.map((s) => s.name),
        tables: plan.tables.map((t) => t.name),
        buckets: plan.buckets.map((b) => b.name),
        queues: plan.queues.map((q) => q.name),
        functions: plan.functions.map((f) => f.name),
      },
      plan,
      env: emulators.env,
      pollers,
      waitUntilIdle: async (waitOptions) => {
        await Promise.all(pollers.map((poller) => poller.waitUntilIdle(waitOptions)));
      },
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
