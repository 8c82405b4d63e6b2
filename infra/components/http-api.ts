import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  HttpApi,
  HttpMethod,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { apiEnvSchema } from "../../functions/api/env.js";
import { LOCAL_NAMES } from "../local-names.js";
import type { CampaignSettings } from "./campaign-settings.js";
import { InfraConfigError } from "./infra-config-error.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { ProjectFunction } from "./project-function.js";

/** The API function's handler, found from this file, wherever the repository is checked out. */
const apiEntry = fileURLToPath(new URL("../../functions/api/handler.ts", import.meta.url));

/** Service name of the API function: its logs' `service` key and its metrics' `service` dimension. */
export const API_SERVICE_NAME = "api";

/** The routes of the API: the signed-link pages are public (the token is the authorisation), events use IAM. */
export const API_ROUTES = {
  public: [
    { method: HttpMethod.GET, path: "/unsubscribe" },
    { method: HttpMethod.POST, path: "/unsubscribe" },
    { method: HttpMethod.GET, path: "/preferences" },
    { method: HttpMethod.POST, path: "/preferences" },
  ],
  iam: [{ method: HttpMethod.POST, path: "/v1/events" }],
} as const;

/** One access log line per request: JSON of the HTTP API's context variables. */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
    requestTime: "$context.requestTime",
    sourceIp: "$context.identity.sourceIp",
    routeKey: "$context.routeKey",
    status: "$context.status",
    protocol: "$context.protocol",
    responseLength: "$context.responseLength",
    integrationLatency: "$context.integrationLatency",
    integrationError: "$context.integrationErrorMessage",
  }),
);

/** Props of {@link PublicApi}. */
export interface PublicApiProps {
  /** Where `POST /v1/events` and the preference changes put events. */
  readonly stream: IStream;
  /** Profiles, read to show the preference page. */
  readonly profiles: ITable;
  /** The HMAC key verifying signed links. */
  readonly linkSecret: ISecret;
  readonly settings: CampaignSettings;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
  /**
   * Requests per second the stage accepts in the steady state, every route together.
   * @default 50
   */
  readonly rateLimit?: number;
  /**
   * Requests the stage accepts at once above the rate.
   * @default 100
   */
  readonly burstLimit?: number;
}

/**
 * The HTTP API (API Gateway v2, payload format 2.0) in front of `functions/api`: the unsubscribe and
 * preference pages the links in emails open (public routes, each request carrying an HMAC-signed token), and
 * `POST /v1/events` for apps that cannot reach Kinesis (IAM-signed requests only). Throttled on the default
 * stage, with JSON access logs in a log group of their own.
 */
export class PublicApi extends Construct {
  /** The function. */
  readonly function: IFunction;
  /** The API. */
  readonly api: HttpApi;
  /** The base URL (no trailing slash): the `$default` stage serves at the root. */
  readonly url: string;
  /** The routes, by `METHOD /path`. */
  readonly routes: ReadonlyMap<string, HttpRoute>;
  /** Invocations failed as a whole. */
  readonly errorsAlarm: IAlarm;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    const rateLimit = props.rateLimit ?? 50;
    const burstLimit = props.burstLimit ?? 100;
    if (!(rateLimit > 0) || !Number.isInteger(burstLimit) || burstLimit < 1) {
      throw new InfraConfigError(
        `the API's throttling needs a positive rate and burst, got ${rateLimit}/${burstLimit}`,
      );
    }

    const apiFunction = new ProjectFunction(this, "Function", {
      entry: apiEntry,
      description: "Serves the unsubscribe and preference pages and accepts events over HTTP",
      timeout: Duration.seconds(10),
      environmentSchema: apiEnvSchema,
      environment: {
        EVENTS_STREAM: props.stream.streamName,
        PROFILES_TABLE: props.profiles.tableName,
        LINK_SECRET_ARN: props.linkSecret.secretArn,
        SHOP_NAME: props.settings.shopName,
        SHOP_URL: props.settings.shopUrl,
        POWERTOOLS_SERVICE_NAME: API_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    const fn = apiFunction.function;
    tagLocalName(fn, "AWS::Lambda::Function", LOCAL_NAMES.apiFunction);
    props.stream.grantWrite(fn);
    props.profiles.grantReadData(fn);
    props.linkSecret.grantRead(fn);
    const reason =
      "KMS grants for the stream's and the profile table's keys, each scoped to its one key ARN.";
    for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
      Validations.of(apiFunction.role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
    }
    this.function = fn;

    const api = new HttpApi(this, "Api", {
      description: "Tailor: unsubscribe and preference pages, events over HTTP",
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, "AccessLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new HttpStage(this, "Stage", {
      httpApi: api,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat },
    });

    const integration = new HttpLambdaIntegration("Integration", fn);
    const routes = new Map<string, HttpRoute>();
    for (const { method, path } of API_ROUTES.public) {
      for (const route of api.addRoutes({ path, methods: [method], integration })) {
        Validations.of(route).acknowledge({
          id: "AwsSolutions-APIG4",
          reason:
            "Opened from links in emails: each request carries an HMAC-signed token the function verifies.",
        });
        routes.set(`${method} ${path}`, route);
      }
    }
    const iam = new HttpIamAuthorizer();
    for (const { method, path } of API_ROUTES.iam) {
      for (const route of api.addRoutes({ path, methods: [method], integration, authorizer: iam })) {
        routes.set(`${method} ${path}`, route);
      }
    }
    this.api = api;
    this.routes = routes;
    this.url = api.apiEndpoint;

    this.errorsAlarm = notifyingAlarm(this, "ErrorsAlarm", {
      description: "API invocations failed: unsubscribe, preference or event requests get errors",
      metric: fn.metricErrors({ statistic: "Sum", period: ALARM_PERIOD }),
      threshold: 0,
      topic: props.alarmTopic,
    });
  }
}
