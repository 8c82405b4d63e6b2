import { type CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeEndpointCommand, type SageMakerClient } from "@aws-sdk/client-sagemaker";
import {
  GetAccountCommand,
  GetConfigurationSetEventDestinationsCommand,
  GetEmailIdentityCommand,
  type SESv2Client,
} from "@aws-sdk/client-sesv2";
import { ListSubscriptionsByTopicCommand, type SNSClient, type Subscription } from "@aws-sdk/client-sns";
import {
  type Answer,
  alarmSubscriptionCheck,
  type Check,
  configurationSetCheck,
  errorText,
  isNotFound,
  iteratorAgeCheck,
  modelEndpointCheck,
  productionAccessCheck,
  senderIdentityCheck,
  sendQuotaCheck,
} from "./doctor-checks.js";
import type { DoctorTargets } from "./doctor-targets.js";
import { OperationsError } from "./operations-error.js";

/** The SDK clients doctor reads with, all in the stack's region. */
export interface DoctorClients {
  readonly ses: SESv2Client;
  readonly sageMaker: SageMakerClient;
  readonly sns: SNSClient;
  readonly cloudWatch: CloudWatchClient;
}

/** The call's answer, or the error it ended with: one failed call fails its check, never the others. */
async function answer<T>(call: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Every subscription of the topic, page after page (at most 20 pages: 2,000 subscriptions). */
async function subscriptions(sns: SNSClient, topicArn: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let token: string | undefined;
  for (let page = 0; page < 20; page++) {
    const out = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
    all.push(...(out.Subscriptions ?? []));
    token = out.NextToken;
    if (token === undefined) break;
  }
  return all;
}

/**
 * Runs every check against the deployed account, read-only: the calls run at once, and each check reads its
 * call's answer (an error included). `now` ends the hour of iterator age read.
 */
export async function runDoctor(clients: DoctorClients, targets: DoctorTargets, now: Date): Promise<Check[]> {
  const { ses, sageMaker, sns, cloudWatch } = clients;
  const endpoints = Object.entries(targets.modelEndpoints);
  const [identity, account, destinations, models, subs, age] = await Promise.all([
    answer(() => ses.send(new GetEmailIdentityCommand({ EmailIdentity: targets.sendingIdentity }))),
    answer(() => ses.send(new GetAccountCommand({}))),
    answer(() =>
      ses.send(
        new GetConfigurationSetEventDestinationsCommand({
          ConfigurationSetName: targets.configurationSetName,
        }),
      ),
    ),
    Promise.all(
      endpoints.map(([, name]) =>
        answer(() => sageMaker.send(new DescribeEndpointCommand({ EndpointName: name }))),
      ),
    ),
    answer(() => subscriptions(sns, targets.alarmTopicArn)),
    answer(() =>
      cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(now.getTime() - 3_600_000),
          EndTime: now,
          ScanBy: "TimestampDescending",
          MetricDataQueries: [
            {
              Id: "iteratorAge",
              MetricStat: {
                Metric: {
                  Namespace: "AWS/Kinesis",
                  MetricName: "GetRecords.IteratorAgeMilliseconds",
                  Dimensions: [{ Name: "StreamName", Value: targets.eventStreamName }],
                },
                Period: 60,
                Stat: "Maximum",
              },
            },
          ],
        }),
      ),
    ),
  ]);
  const answers = [identity, account, destinations, ...models, subs, age];
  const first = answers.find((a) => !a.ok);
  if (answers.every((a) => !a.ok && !isNotFound(a.error)) && first !== undefined && !first.ok) {
    // No call went through (no credentials, an expired session, a wrong region): one line says it, not eight.
    throw new OperationsError(
      `no AWS call succeeded (${errorText(first.error)}) — check the credentials and region: aws sts get-caller-identity, --region`,
      first.error,
    );
  }
  return [
    senderIdentityCheck(targets.sendingIdentity, identity),
    productionAccessCheck(account),
    sendQuotaCheck(account, targets.sendRatePerSecond),
    configurationSetCheck(targets.configurationSetName, destinations),
    ...endpoints.map(([model, name], i) =>
      modelEndpointCheck(model, name, models[i] ?? { ok: false, error: new Error("not called") }),
    ),
    alarmSubscriptionCheck(targets.alarmTopicArn, subs),
    iteratorAgeCheck(targets.eventStreamName, age),
  ];
}
