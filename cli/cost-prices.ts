/** One public price: what it costs, per what, and the page that says so. */
export interface Price {
  /** US dollars per `per` units. */
  readonly usd: number;
  /** How many units the price is for (1, 1,000, 1,000,000). */
  readonly per: number;
  /** The unit, as printed (`write request unit`, `GB-second`). */
  readonly unit: string;
  /** The AWS pricing page. */
  readonly source: string;
}

/**
 * When the prices below were read from AWS's public pages: on-demand prices of US East (N. Virginia), without
 * free tiers, savings plans or reserved capacity. Other regions differ by up to about a third.
 */
export const PRICES_AS_OF = "2025 (DynamoDB on-demand after the price cut of 1 November 2024)";

/** The region the prices are for. */
export const PRICES_REGION = "us-east-1";

const DYNAMODB = "https://aws.amazon.com/dynamodb/pricing/on-demand/";
const LAMBDA = "https://aws.amazon.com/lambda/pricing/";
const KINESIS = "https://aws.amazon.com/kinesis/data-streams/pricing/";
const CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/";
const S3 = "https://aws.amazon.com/s3/pricing/";
const FIREHOSE = "https://aws.amazon.com/firehose/pricing/";

/** AWS's public prices (us-east-1) that the cost model uses. */
export const PRICES = {
  dynamoWrite: { usd: 0.625, per: 1e6, unit: "write request unit", source: DYNAMODB },
  dynamoRead: { usd: 0.125, per: 1e6, unit: "read request unit", source: DYNAMODB },
  dynamoStorage: { usd: 0.25, per: 1, unit: "GB-month", source: DYNAMODB },
  lambdaArmCompute: { usd: 0.0000133334, per: 1, unit: "GB-second (arm64)", source: LAMBDA },
  lambdaRequests: { usd: 0.2, per: 1e6, unit: "request", source: LAMBDA },
  sesEmails: { usd: 0.1, per: 1000, unit: "email", source: "https://aws.amazon.com/ses/pricing/" },
  kinesisShardHour: { usd: 0.015, per: 1, unit: "shard-hour", source: KINESIS },
  kinesisPutUnits: { usd: 0.014, per: 1e6, unit: "PUT payload unit (25 KB)", source: KINESIS },
  kinesisOnDemandStreamHour: { usd: 0.04, per: 1, unit: "stream-hour (on-demand)", source: KINESIS },
  kinesisOnDemandIn: { usd: 0.08, per: 1, unit: "GB in (on-demand)", source: KINESIS },
  kinesisOnDemandOut: { usd: 0.04, per: 1, unit: "GB out (on-demand)", source: KINESIS },
  sqsRequests: { usd: 0.4, per: 1e6, unit: "request", source: "https://aws.amazon.com/sqs/pricing/" },
  s3Puts: { usd: 0.005, per: 1000, unit: "PUT request", source: S3 },
  s3Standard: { usd: 0.023, per: 1, unit: "GB-month (S3 Standard)", source: S3 },
  s3StandardIa: { usd: 0.0125, per: 1, unit: "GB-month (S3 Standard-IA)", source: S3 },
  firehoseIngestion: { usd: 0.029, per: 1, unit: "GB in (records rounded up to 5 KB)", source: FIREHOSE },
  kmsKeys: { usd: 1, per: 1, unit: "key-month", source: "https://aws.amazon.com/kms/pricing/" },
  kmsRequests: { usd: 0.03, per: 10_000, unit: "request", source: "https://aws.amazon.com/kms/pricing/" },
  cloudWatchAlarms: { usd: 0.1, per: 1, unit: "alarm-month", source: CLOUDWATCH },
  cloudWatchMetrics: { usd: 0.3, per: 1, unit: "custom metric-month", source: CLOUDWATCH },
  cloudWatchDashboards: { usd: 3, per: 1, unit: "dashboard-month", source: CLOUDWATCH },
  cloudWatchLogs: { usd: 0.5, per: 1, unit: "GB of logs ingested", source: CLOUDWATCH },
  sageMakerInstanceHour: {
    usd: 0.115,
    per: 1,
    unit: "ml.m5.large instance-hour",
    source: "https://aws.amazon.com/sagemaker/pricing/",
  },
  sageMakerServerlessGbSecond: {
    usd: 0.00002,
    per: 1,
    unit: "GB-second of serverless inference",
    source: "https://aws.amazon.com/sagemaker/pricing/",
  },
  stepFunctionsTransitions: {
    usd: 0.025,
    per: 1000,
    unit: "state transition",
    source: "https://aws.amazon.com/step-functions/pricing/",
  },
} as const satisfies Readonly<Record<string, Price>>;
