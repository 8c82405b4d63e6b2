import { RemovalPolicy } from "aws-cdk-lib";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { type IKey, Key } from "aws-cdk-lib/aws-kms";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";

/**
 * The encrypted SNS topic every Tailor alarm notifies. Subscribe an email, a chat integration or a pager to
 * it. The key is customer-managed because CloudWatch alarms cannot publish to a topic encrypted with the
 * AWS-managed SNS key.
 */
export class AlarmTopic extends Construct {
  /** The topic. */
  readonly topic: ITopic;
  /** The key the topic is encrypted with. */
  readonly key: IKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
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
    this.topic = new Topic(this, "Topic", { masterKey: key, enforceSSL: true });
  }
}
