import { RemovalPolicy } from "aws-cdk-lib";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { type IKey, Key } from "aws-cdk-lib/aws-kms";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import type { AlarmDestination } from "./alarm-settings.js";

/** Props of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Where the alarms go: email addresses subscribed to a topic of the stack's own, or an existing topic. */
  readonly destination: AlarmDestination;
}

/**
 * The SNS topic every Tailor alarm notifies: an existing topic named by the settings, or an encrypted topic of
 * the stack's own with the settings' email addresses subscribed to it. The key is customer-managed because
 * CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key.
 */
export class AlarmTopic extends Construct {
  /** The topic. */
  readonly topic: ITopic;
  /** The key the topic is encrypted with; `undefined` for an existing topic. */
  readonly key: IKey | undefined;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { destination } = props;
    if (destination.kind === "topic") {
      this.topic = Topic.fromTopicArn(this, "Topic", destination.topicArn);
      this.key = undefined;
      return;
    }
    const key = new Key(this, "Key", {
      description: "Encrypts the Tailor alarm topic",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowCloudWatchAlarmsToPublish",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
      }),
    );
    this.key = key;
    const topic = new Topic(this, "Topic", { masterKey: key, enforceSSL: true });
    for (const address of destination.addresses) topic.addSubscription(new EmailSubscription(address));
    this.topic = topic;
  }
}
