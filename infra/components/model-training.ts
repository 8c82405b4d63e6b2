import { fileURLToPath } from "node:url";
import { Aws, Duration, Validations } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import { type IRule, Rule, RuleTargetInput, Schedule } from "aws-cdk-lib/aws-events";
import { SfnStateMachine } from "aws-cdk-lib/aws-events-targets";
import { type IRole, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  type IChainable,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  Result,
  StateMachine,
  TaskInput,
  Wait,
  WaitTime,
} from "aws-cdk-lib/aws-stepfunctions";
import { CallAwsService, LambdaInvoke } from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Construct } from "constructs";
import { modelTrainingEnvSchema } from "#functions/model-training/env.js";
import { ARCHIVE_PREFIX } from "#shared/domain/events/archived-record.js";
import { LOCAL_NAMES } from "../local-names.js";
import { acknowledgePrefixGrants } from "./bucket-grant-findings.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
import { containerEnvironment, VARIANT_NAME } from "./model-endpoints.js";
import type { EndpointCapacity } from "./model-settings.js";
import { FEATURES_PREFIX, MODELS_PREFIX } from "./model-store.js";
import { ProjectFunction } from "./project-function.js";
import { ruleDeadLetterQueue } from "./rule-dead-letter-queue.js";
import {
  acknowledgeKmsGrants,
  acknowledgeStateMachineWildcards,
  executionAlarms,
  stateMachineLogGroup,
} from "./state-machine-support.js";

/** The training function's handler, found from this file. */
const trainingEntry = fileURLToPath(new URL("../../functions/model-training/handler.ts", import.meta.url));

/** Service name of the training function: its logs' `service` key and its metrics' `service` dimension. */
export const MODEL_TRAINING_SERVICE_NAME = "model-training";

/** How long one training run may take, rollouts included, before Step Functions stops it. */
const RUN_TIMEOUT = Duration.hours(4);

/** Between two looks at an endpoint being updated. */
const ROLLOUT_POLL = Duration.seconds(60);

/** Models trained at once. */
export const TRAINING_MAX_CONCURRENCY = 3;

/** A model the workflow trains, and the endpoint it rolls when the stack manages it. */
export interface TrainedModel {
  readonly model: string;
  /** Its endpoint when the stack deploys it (rolled to a promoted version); `undefined`: not rolled here. */
  readonly endpoint: string | undefined;
}

/** What the workflow needs to roll a managed endpoint: the same role, image and capacity as the stack's. */
export interface RolloutTarget {
  readonly role: IRole;
  readonly image: string;
  readonly capacity: EndpointCapacity;
}

/** Props of {@link ModelTraining}. */
export interface ModelTrainingProps {
  /** The models trained, each with its managed endpoint if any. */
  readonly models: readonly TrainedModel[];
  /** The model bucket (registry and feature tables). */
  readonly modelBucket: IBucket;
  /** The raw event archive the feature tables are built from. */
  readonly archiveBucket: IBucket;
  /** Set when the stack deploys endpoints: how the workflow rolls them. */
  readonly rollout?: RolloutTarget;
  /** The schedule expression that starts a run; `undefined`: no schedule. */
  readonly schedule: string | undefined;
  /** Alarms whose change to ALARM starts a run (the score drift and live calibration alarms). */
  readonly startOnAlarms: readonly IAlarm[];
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
}

/** The alarms of the training workflow. */
export interface ModelTrainingAlarms {
  /** A run failed: a step failed after its retries, or an endpoint rollout failed (the endpoint kept its model). */
  readonly executionsFailed: IAlarm;
  readonly executionsTimedOut: IAlarm;
  /** EventBridge could not start a run (schedule or drift). */
  readonly startDeadLetters: IAlarm;
}

/**
 * The training workflow: a Step Functions state machine `BuildFeatures` (the feature table from the raw archive,
 * profiles folded as of each cut-off, written to the model bucket) → `Models` (a Map over the models: `TrainCandidate` →
 * `EvaluateCandidate` on the time-based hold-out against the baselines and the model in service →
 * `RecordDecision` (promoted or refused, kept with the version) → when promoted and the stack manages the
 * model's endpoint, `CreateModel` + `CreateEndpointConfig` + `UpdateEndpoint` through Step Functions' SageMaker
 * SDK integration, then a wait until the endpoint is `InService` on the new config: SageMaker keeps the old one
 * serving meanwhile, so there is no downtime, and rolls back when the new one fails).
 *
 * Started by an EventBridge schedule (`-c trainSchedule=…`) and by any drift alarm going to ALARM; the steps are
 * one function (`functions/model-training`), its `action` field selecting the step. Failures are retried, then
 * fail the run, which alarms.
 */
export class ModelTraining extends Construct {
  readonly stateMachine: StateMachine;
  /** The steps' function. */
  readonly function: IFunction;
  /** The schedule, when there is one. */
  readonly schedule: IRule | undefined;
  /** The rule that starts a run when a drift alarm fires. */
  readonly onDrift: IRule | undefined;
  /** Where EventBridge puts the starts it could not deliver. */
  readonly startDeadLetterQueue: IQueue;
  readonly alarms: ModelTrainingAlarms;

  constructor(scope: Construct, id: string, props: ModelTrainingProps) {
    super(scope, id);
    const built = new ProjectFunction(this, "Function", {
      entry: trainingEntry,
      handler: "handler",
      environmentSchema: modelTrainingEnvSchema,
      environment: {
        MODEL_BUCKET: props.modelBucket.bucketName,
        ARCHIVE_BUCKET: props.archiveBucket.bucketName,
        POWERTOOLS_SERVICE_NAME: MODEL_TRAINING_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      description: "The training workflow's steps: feature table, candidate, evaluation, promotion decision",
      memorySize: 2048,
      timeout: Duration.minutes(15),
    });
    tagLocalName(built.function, "AWS::Lambda::Function", LOCAL_NAMES.modelTrainingFunction);
    this.function = built.function;
    // Reads the archive's events (the profiles are folded from them as of each cut-off); reads and writes the registry and the feature tables: no
    // deletes, nothing else of either bucket.
    props.archiveBucket.grantRead(built.function, `${ARCHIVE_PREFIX}*`);
    for (const prefix of [MODELS_PREFIX, FEATURES_PREFIX]) {
      props.modelBucket.grantRead(built.function, `${prefix}*`);
      props.modelBucket.grantPut(built.function, `${prefix}*`);
    }
    acknowledgeKmsGrants(built.role, "the archive and model bucket keys");
    acknowledgePrefixGrants(
      built.role,
      [
        { bucket: props.archiveBucket, prefix: ARCHIVE_PREFIX },
        { bucket: props.modelBucket, prefix: MODELS_PREFIX },
        { bucket: props.modelBucket, prefix: FEATURES_PREFIX },
      ],
      "Training reads the archive's events and writes the registry and feature tables",
    );

    const definition = trainingDefinition(this, {
      fn: built.function,
      models: props.models,
      bucket: props.modelBucket,
      rollout: props.rollout,
    });
    const machine = new StateMachine(this, "StateMachine", {
      comment: "Trains, evaluates and promotes the models on the shop's data, and rolls managed endpoints",
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: RUN_TIMEOUT,
      tracingEnabled: true,
      // The states carry S3 keys, versions and metrics, never a profile: the execution data may be logged.
      logs: {
        destination: stateMachineLogGroup(this, "the training workflow"),
        level: LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    tagLocalName(machine, "AWS::StepFunctions::StateMachine", LOCAL_NAMES.modelTrainingStateMachine);
    acknowledgeStateMachineWildcards(machine.role, [built.function]);
    if (props.rollout !== undefined) grantRollout(machine, props.rollout.role);
    this.stateMachine = machine;

    const deadLetters = ruleDeadLetterQueue(this, "StartDeadLetters", "the training workflow's starts");
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.modelTrainingDeadLetterQueue);
    this.startDeadLetterQueue = deadLetters.queue;
    const target = (trigger: string) =>
      new SfnStateMachine(machine, {
        input: RuleTargetInput.fromObject({ trigger }),
        deadLetterQueue: deadLetters.queue,
        retryAttempts: 4,
        maxEventAge: Duration.hours(1),
      });
    if (props.schedule !== undefined) {
      const rule = new Rule(this, "Schedule", {
        description: "Starts the training workflow on its schedule",
        schedule: Schedule.expression(props.schedule),
        targets: [target("schedule")],
      });
      tagLocalName(rule, "AWS::Events::Rule", LOCAL_NAMES.modelTrainingSchedule);
      this.schedule = rule;
    }
    if (props.startOnAlarms.length > 0) {
      const rule = new Rule(this, "OnDrift", {
        description: "Starts the training workflow when a model's drift or calibration alarm fires",
        eventPattern: {
          source: ["aws.cloudwatch"],
          detailType: ["CloudWatch Alarm State Change"],
          resources: props.startOnAlarms.map((alarm) => alarm.alarmArn),
          detail: { state: { value: ["ALARM"] } },
        },
        targets: [target("drift")],
      });
      tagLocalName(rule, "AWS::Events::Rule", LOCAL_NAMES.modelTrainingOnDrift);
      this.onDrift = rule;
    }

    this.alarms = {
      ...executionAlarms(this, machine, props.alarmTopic, {
        failed:
          "A training run failed (a step after its retries, or an endpoint rollout: the endpoint kept its model)",
        timedOut: "A training run timed out: no model was promoted or rolled out by it",
      }),
      startDeadLetters: deadLetters.alarmWhenNotEmpty(
        this,
        "StartDeadLettersAlarm",
        "EventBridge could not start the training workflow: its dead-letter queue holds the starts",
        props.alarmTopic,
      ),
    };
  }
}

/** SageMaker ARNs of this account and region: `<kind>/<name>` (SageMaker writes names in lower case). */
function sageMakerArn(kind: "model" | "endpoint-config" | "endpoint", name: string): string {
  return `arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:${kind}/${name.toLowerCase()}`;
}

/** The names the workflow gives the models and endpoint configs it creates: `tailor-<md5>`. */
const ROLLOUT_NAME_PATTERN = "tailor-*";

/**
 * The rollout's permissions beyond what the SDK tasks declare: `iam:PassRole` of the endpoints' role, to
 * SageMaker only.
 */
function grantRollout(machine: StateMachine, role: IRole): void {
  for (const kind of ["model", "endpoint-config"] as const) {
    Validations.of(machine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:${kind}/${ROLLOUT_NAME_PATTERN}]`,
      reason: `Each rollout creates a ${kind} of a new name (tailor-<hash of the run and model>): only those.`,
    });
  }
  machine.addToRolePolicy(
    new PolicyStatement({
      actions: ["iam:PassRole"],
      resources: [role.roleArn],
      conditions: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
    }),
  );
}

/** The state machine's definition; `Start` sets the action of the first step. */
function trainingDefinition(
  scope: Construct,
  parts: {
    readonly fn: IFunction;
    readonly models: readonly TrainedModel[];
    readonly bucket: IBucket;
    readonly rollout: RolloutTarget | undefined;
  },
): IChainable {
  const step = (id: string, payload: Record<string, unknown>, resultPath: string) => {
    const task = new LambdaInvoke(scope, id, {
      lambdaFunction: parts.fn,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject(payload),
      resultPath,
    });
    task.addRetry({
      errors: ["States.TaskFailed"],
      maxAttempts: 2,
      backoffRate: 2,
      interval: Duration.seconds(30),
    });
    return task;
  };
  // The run's input ({ trigger } from EventBridge; `tailor train --aws` may add cutoff, from, to) goes to
  // BuildFeatures with its action.
  const start = new Pass(scope, "Start", {
    result: Result.fromString("buildFeatures"),
    resultPath: "$.action",
  });
  const buildFeatures = new LambdaInvoke(scope, "BuildFeatures", {
    lambdaFunction: parts.fn,
    payloadResponseOnly: true,
    resultPath: "$.features",
  });
  buildFeatures.addRetry({
    errors: ["States.TaskFailed"],
    maxAttempts: 2,
    backoffRate: 2,
    interval: Duration.seconds(30),
  });
  const listModels = new Pass(scope, "ListModels", {
    result: Result.fromArray(
      parts.models.map(({ model, endpoint }) => ({
        model,
        endpoint: endpoint ?? "",
        managed: parts.rollout !== undefined && endpoint !== undefined,
        // The container's environment when rolled out: script mode for the recommender, none for XGBoost.
        environment: containerEnvironment(model),
      })),
    ),
    resultPath: "$.models",
  });
  const train = step(
    "TrainCandidate",
    {
      action: "trainCandidate",
      model: JsonPath.stringAt("$.model"),
      trainKey: JsonPath.stringAt("$.features.trainKey"),
      validationKey: JsonPath.stringAt("$.features.validationKey"),
    },
    "$.candidate",
  );
  const evaluate = step(
    "EvaluateCandidate",
    {
      action: "evaluateCandidate",
      model: JsonPath.stringAt("$.model"),
      version: JsonPath.stringAt("$.candidate.version"),
      holdoutKey: JsonPath.stringAt("$.features.holdoutKey"),
    },
    "$.evaluation",
  );
  const record = step(
    "RecordDecision",
    {
      action: "recordDecision",
      model: JsonPath.stringAt("$.model"),
      version: JsonPath.stringAt("$.candidate.version"),
      "promote.$": "$.evaluation.promote",
    },
    "$.decision",
  );
  const perModel = train.next(evaluate).next(record);
  if (parts.rollout !== undefined) {
    const done = new Pass(scope, "ModelDone");
    const endpoints = parts.models.flatMap(({ endpoint }) => (endpoint === undefined ? [] : [endpoint]));
    const rollout = rolloutChain(scope, { bucket: parts.bucket, target: parts.rollout, endpoints }, done);
    perModel.next(
      new Choice(scope, "RollOut?")
        .when(
          Condition.and(
            Condition.booleanEquals("$.evaluation.promote", true),
            Condition.booleanEquals("$.managed", true),
          ),
          rollout,
        )
        .otherwise(done),
    );
  }
  const models = new MapState(scope, "Models", {
    itemsPath: "$.models",
    maxConcurrency: TRAINING_MAX_CONCURRENCY,
    itemSelector: {
      "model.$": "$$.Map.Item.Value.model",
      "endpoint.$": "$$.Map.Item.Value.endpoint",
      "managed.$": "$$.Map.Item.Value.managed",
      "environment.$": "$$.Map.Item.Value.environment",
      "features.$": "$.features",
    },
    resultPath: "$.results",
  });
  models.itemProcessor(train);
  return start.next(buildFeatures).next(listModels).next(models);
}

/**
 * `RolloutNames` → `CreateModel` → `CreateEndpointConfig` → `UpdateEndpoint` → `WaitForEndpoint` ⇄
 * `DescribeEndpoint` → `EndpointUpdated?`: in service on the new config → `done`; in service on another (SageMaker
 * rolled the update back) or failed → `RolloutFailed`; still updating → wait again.
 */
function rolloutChain(
  scope: Construct,
  { bucket, target, endpoints }: { bucket: IBucket; target: RolloutTarget; endpoints: readonly string[] },
  done: Pass,
): IChainable {
  const names = new Pass(scope, "RolloutNames", {
    parameters: {
      "name.$":
        "States.Format('tailor-{}', States.Hash(States.Format('{}/{}', $$.Execution.Id, $.model), 'MD5'))",
    },
    resultPath: "$.rollout",
  });
  const sdk = (id: string, action: string, iamAction: string, resources: string[], parameters: object) => {
    const task = new CallAwsService(scope, id, {
      service: "sagemaker",
      action,
      iamAction,
      iamResources: resources,
      parameters: { ...parameters },
      resultPath: JsonPath.DISCARD,
    });
    // A request refused for its content fails at once; throttling, a busy endpoint or a service error is retried.
    task.addRetry({ errors: ["SageMaker.ValidationException"], maxAttempts: 0 });
    task.addRetry({ errors: ["States.ALL"], maxAttempts: 4, backoffRate: 2, interval: Duration.seconds(20) });
    return task;
  };
  const configArns = sageMakerArn("endpoint-config", ROLLOUT_NAME_PATTERN);
  const createModel = sdk(
    "CreateModel",
    "createModel",
    "sagemaker:CreateModel",
    [sageMakerArn("model", ROLLOUT_NAME_PATTERN)],
    {
      ModelName: JsonPath.stringAt("$.rollout.name"),
      ExecutionRoleArn: target.role.roleArn,
      PrimaryContainer: {
        Image: target.image,
        ModelDataUrl: JsonPath.format(
          `s3://${bucket.bucketName}/{}`,
          JsonPath.stringAt("$.candidate.artifactKey"),
        ),
        Environment: JsonPath.objectAt("$.environment"),
      },
    },
  );
  const createConfig = sdk(
    "CreateEndpointConfig",
    "createEndpointConfig",
    "sagemaker:CreateEndpointConfig",
    [configArns],
    {
      EndpointConfigName: JsonPath.stringAt("$.rollout.name"),
      ProductionVariants: [
        target.capacity.kind === "serverless"
          ? {
              VariantName: VARIANT_NAME,
              ModelName: JsonPath.stringAt("$.rollout.name"),
              ServerlessConfig: {
                MemorySizeInMB: target.capacity.memoryMb,
                MaxConcurrency: target.capacity.maxConcurrency,
              },
            }
          : {
              VariantName: VARIANT_NAME,
              ModelName: JsonPath.stringAt("$.rollout.name"),
              InstanceType: target.capacity.instanceType,
              InitialInstanceCount: target.capacity.instanceCount,
              InitialVariantWeight: 1,
            },
      ],
    },
  );
  const endpointArns = endpoints.map((name) => sageMakerArn("endpoint", name));
  const updateEndpoint = sdk(
    "UpdateEndpoint",
    "updateEndpoint",
    "sagemaker:UpdateEndpoint",
    [...endpointArns, configArns],
    {
      EndpointName: JsonPath.stringAt("$.endpoint"),
      EndpointConfigName: JsonPath.stringAt("$.rollout.name"),
    },
  );
  const wait = new Wait(scope, "WaitForEndpoint", { time: WaitTime.duration(ROLLOUT_POLL) });
  const describe = new CallAwsService(scope, "DescribeEndpoint", {
    service: "sagemaker",
    action: "describeEndpoint",
    iamAction: "sagemaker:DescribeEndpoint",
    iamResources: endpointArns,
    parameters: { EndpointName: JsonPath.stringAt("$.endpoint") },
    resultSelector: { "status.$": "$.EndpointStatus", "config.$": "$.EndpointConfigName" },
    resultPath: "$.endpointState",
  });
  describe.addRetry({
    errors: ["States.ALL"],
    maxAttempts: 4,
    backoffRate: 2,
    interval: Duration.seconds(20),
  });
  const failed = new Fail(scope, "RolloutFailed", {
    error: "EndpointRolloutFailed",
    cause: "The endpoint did not come into service on the promoted model; it keeps serving the previous one",
  });
  const check = new Choice(scope, "EndpointUpdated?")
    .when(
      Condition.and(
        Condition.stringEquals("$.endpointState.status", "InService"),
        Condition.stringEqualsJsonPath("$.endpointState.config", "$.rollout.name"),
      ),
      done,
    )
    .when(
      Condition.or(
        Condition.stringEquals("$.endpointState.status", "InService"),
        Condition.stringEquals("$.endpointState.status", "Failed"),
        Condition.stringEquals("$.endpointState.status", "OutOfService"),
      ),
      failed,
    )
    .otherwise(wait);
  return names
    .next(createModel)
    .next(createConfig)
    .next(updateEndpoint)
    .next(wait)
    .next(describe)
    .next(check);
}
