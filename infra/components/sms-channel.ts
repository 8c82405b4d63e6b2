import { fileURLToPath } from "node:url";
import { CfnOutput, Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { type IRole, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { CfnConfigurationSet } from "aws-cdk-lib/aws-smsvoice";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import { LambdaSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { smsFeedbackEnvSchema } from "#functions/sms-feedback/env.js";
import { type LocalName, SMS_LOCAL_NAMES } from "../local-names.js";
import { DeadLetterQueue } from "./dead-letter-queue.js";
import { type FeedbackAlarms, guardFeedbackFunction } from "./feedback-guards.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
import { ProjectFunction } from "./project-function.js";
import type { SmsSettings } from "./sms-settings.js";
import { grantTableActions } from "./table-grants.js";

/** The SMS feedback function's handler, found from this file, wherever the repository is checked out. */
const smsFeedbackEntry = fileURLToPath(new URL("../../functions/sms-feedback/handler.ts", import.meta.url));

/** Service name of the SMS feedback function: its logs' `service` key and its metrics' `service` dimension. */
export const SMS_FEEDBACK_SERVICE_NAME = "sms-feedback";

/** The phone index's key namespace in the profiles table (`shared/aws/profile-key.ts`): dispatch writes only there. */
const PHONE_KEYS = "p#*";

/**
 * The dispatch environment of SMS on: the identity and the configuration set every text names.
 */
export function smsDispatchEnvironment(sms: SmsSettings | undefined): Record<string, string> {
  return sms === undefined
    ? {}
    : {
        SMS_ORIGINATION_IDENTITY: sms.originationIdentityArn,
        SMS_CONFIGURATION_SET: sms.configurationSetName,
      };
}

/**
 * What dispatch may do for SMS: `sms-voice:SendTextMessage` on the origination identity and the configuration set
 * only (the service authorises a send against both), and PutItem in the profiles table on the phone index's
 * keys only (`dynamodb:LeadingKeys` `p#…`), never on a customer's profile.
 */
export function grantSmsSend(
  role: IRole,
  profiles: ITable,
  sms: SmsSettings,
  configurationSetArn: string,
): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["sms-voice:SendTextMessage"],
      resources: [sms.originationIdentityArn, configurationSetArn],
    }),
  );
  profiles.encryptionKey?.grant(role, "kms:Encrypt", "kms:GenerateDataKey*", "kms:Decrypt");
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["dynamodb:PutItem"],
      resources: [profiles.tableArn],
      conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [PHONE_KEYS] } },
    }),
  );
}

/** Props of {@link SmsFeedback}. */
export interface SmsFeedbackProps {
  /** Where the feedback events are put. */
  readonly stream: IStream;
  /** The profiles table, whose phone index replies are attributed by (GetItem only). */
  readonly profiles: ITable;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
  /** The configuration set every text names: created here, with the events topic as its event destination. */
  readonly configurationSetName: string;
}

/** The alarms of the SMS feedback. */
export type SmsFeedbackAlarms = FeedbackAlarms;

/**
 * SMS feedback: the End User Messaging SMS configuration set every text names, and two SNS topics, encrypted, that
 * the service publishes to (the configuration set's event destination, created here, and the origination number's
 * two-way channel, which the number's owner points at the replies topic), both subscribed by a function that turns
 * the events and the STOP/START replies into Tailor events on the stream. What SNS cannot deliver and what keeps
 * failing lands in a dead-letter queue with an alarm.
 */
export class SmsFeedback extends Construct {
  /** The topic of the configuration set's event destination (`TEXT_*` events). */
  readonly eventsTopic: ITopic;
  /** The topic of the number's two-way replies. */
  readonly repliesTopic: ITopic;
  /** The configuration set, its every event (`ALL`) published to {@link eventsTopic}. */
  readonly configurationSet: CfnConfigurationSet;
  readonly function: IFunction;
  readonly deadLetterQueue: IQueue;
  readonly alarms: SmsFeedbackAlarms;

  constructor(scope: Construct, id: string, props: SmsFeedbackProps) {
    super(scope, id);
    const key = new Key(this, "Key", {
      description: "Encrypts the SMS event and reply topics",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowEndUserMessagingToPublish",
        principals: [new ServicePrincipal("sms-voice.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
      }),
    );
    const topic = (name: string, localName: LocalName) => {
      const made = new Topic(this, name, { masterKey: key, enforceSSL: true });
      made.addToResourcePolicy(
        new PolicyStatement({
          sid: "AllowEndUserMessagingToPublish",
          principals: [new ServicePrincipal("sms-voice.amazonaws.com")],
          actions: ["sns:Publish"],
          resources: [made.topicArn],
        }),
      );
      tagLocalName(made, "AWS::SNS::Topic", localName);
      return made;
    };
    this.eventsTopic = topic("EventsTopic", SMS_LOCAL_NAMES.smsEventsTopic);
    this.repliesTopic = topic("RepliesTopic", SMS_LOCAL_NAMES.smsRepliesTopic);
    this.configurationSet = new CfnConfigurationSet(this, "ConfigurationSet", {
      configurationSetName: props.configurationSetName,
      eventDestinations: [
        {
          eventDestinationName: "tailor-feedback",
          enabled: true,
          matchingEventTypes: ["ALL"],
          snsDestination: { topicArn: this.eventsTopic.topicArn },
        },
      ],
    });
    // The service checks it may publish when the destination is created: the topic's policy comes first.
    for (const each of [this.eventsTopic, key]) this.configurationSet.node.addDependency(each);

    const feedback = new ProjectFunction(this, "Function", {
      entry: smsFeedbackEntry,
      description: "Turns End User Messaging SMS events and STOP/START replies into Tailor events",
      timeout: Duration.seconds(30),
      environmentSchema: smsFeedbackEnvSchema,
      environment: {
        EVENTS_STREAM: props.stream.streamName,
        PROFILES_TABLE: props.profiles.tableName,
        POWERTOOLS_SERVICE_NAME: SMS_FEEDBACK_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    const fn = feedback.function;
    tagLocalName(fn, "AWS::Lambda::Function", SMS_LOCAL_NAMES.smsFeedbackFunction);
    props.stream.grantWrite(fn);
    grantTableActions(props.profiles, fn, "read", "GetItem");

    const deadLetters = new DeadLetterQueue(this, "DeadLetters", {
      purpose: "the SMS feedback topics and function",
    });
    deadLetters.key.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowSnsDeadLetters",
        principals: [new ServicePrincipal("sns.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: ["*"],
      }),
    );
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", SMS_LOCAL_NAMES.smsFeedbackDeadLetterQueue);
    this.deadLetterQueue = deadLetters.queue;
    for (const each of [this.eventsTopic, this.repliesTopic]) {
      each.addSubscription(new LambdaSubscription(fn, { deadLetterQueue: deadLetters.queue }));
    }
    const reason =
      "KMS grants for the stream's, the profiles table's and the dead-letter queue's keys, each scoped to its one key ARN.";
    for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
      Validations.of(feedback.role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
    }
    this.function = fn;
    new CfnOutput(this, "EventsTopicArn", {
      description: "The SNS topic of the SMS configuration set's event destination (set by the stack)",
      value: this.eventsTopic.topicArn,
    });
    new CfnOutput(this, "RepliesTopicArn", {
      description:
        "The SNS topic of the origination number's two-way replies (update-phone-number --two-way-channel-arn …)",
      value: this.repliesTopic.topicArn,
    });

    this.alarms = guardFeedbackFunction(this, fn, deadLetters, {
      topic: props.alarmTopic,
      errors: "SMS feedback invocations failed: delivery counts and STOP replies are late",
      deadLetters: "SMS events or replies were given up on: the SMS feedback dead-letter queue holds them",
    });
  }
}
