import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  CfnStage,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import { type IFunction, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { type ApiEnv, apiEnvSchema } from "#functions/api/env.js";
import { SEGMENT_POST_PATHS } from "#shared/app/api/segment-routes.js";
import { TIMERS_BY_CUSTOMER_INDEX } from "#shared/aws/dynamo-timers.js";
import { LOCAL_NAMES } from "../local-names.js";
import type { AuditTable } from "./audit-store.js";
import { CAMPAIGNS_DIR, type CampaignDefinitions, EMAILS_DIR } from "./campaign-definitions.js";
import type { CampaignSettings } from "./campaign-settings.js";
import { CONTENT_CACHE_SECONDS, type ContentLibraryStore } from "./content-library.js";
import { TEMPLATES_FILE } from "./dispatch.js";
import { InfraConfigError } from "./infra-config-error.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { invokeEndpointsStatement } from "./invoke-endpoints.js";
import { tagLocalName } from "./local-name.js";
import { arnFinding } from "./nag-findings.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { ProjectFunction } from "./project-function.js";
import { type RetentionSettings, retentionEnvironment } from "./retention-settings.js";
import { SEGMENTS_DIR, type SegmentDefinitions } from "./segment-definitions.js";
import { grantIndexQuery, grantTableActions } from "./table-grants.js";
import { compiledTemplatesHook } from "./templates-file.js";
import type { WatchTable } from "./watch-index.js";
import type { WriteKeyStore } from "./write-key-store.js";

/** The API function's handler, found from this file, wherever the repository is checked out. */
const apiEntry = fileURLToPath(new URL("../../functions/api/handler.ts", import.meta.url));

/** The console's admin API: every method of every path under `/v1/admin/`, behind the console's authorizer. */
export const ADMIN_API_ROUTE = { method: HttpMethod.ANY, path: "/v1/admin/{proxy+}" } as const;

/** Service name of the API function: its logs' `service` key and its metrics' `service` dimension. */
export const API_SERVICE_NAME = "api";

/**
 * The routes of the API: the signed-link pages are public (the token is the authorisation) and throttled below
 * the stage; events and the admin routes (erasure, export) take IAM-signed requests only.
 */
export const API_ROUTES = {
  public: [
    { method: HttpMethod.GET, path: "/unsubscribe" },
    { method: HttpMethod.POST, path: "/unsubscribe" },
    { method: HttpMethod.GET, path: "/preferences" },
    { method: HttpMethod.POST, path: "/preferences" },
    { method: HttpMethod.GET, path: "/confirm" },
    { method: HttpMethod.POST, path: "/confirm" },
  ],
  iam: [
    { method: HttpMethod.POST, path: "/v1/events" },
    { method: HttpMethod.DELETE, path: "/v1/customers/{id}" },
    { method: HttpMethod.GET, path: "/v1/customers/{id}/export" },
  ],
} as const;

/** Texts' short links (`-c sms=on`): public, throttled like the signed-link pages. */
export const SHORT_LINK_API_ROUTE = { method: HttpMethod.GET, path: "/l/{token}" } as const;

/** The sample profiles templates are previewed for, in the bundle. */
export const SAMPLES_DIR = "templates/samples";

/**
 * Segment's HTTP Tracking API: `POST` of calls and batches (and the browsers' `OPTIONS` preflight) on every path
 * of it, and the settings the browser library fetches. No authorizer: the write key is the authorisation, and
 * the function checks it.
 */
export const SEGMENT_API_ROUTES: readonly { readonly method: HttpMethod; readonly path: string }[] = [
  ...SEGMENT_POST_PATHS.flatMap((path) => [
    { method: HttpMethod.POST, path },
    { method: HttpMethod.OPTIONS, path },
  ]),
  { method: HttpMethod.GET, path: "/v1/projects/{writeKey}/settings" },
  { method: HttpMethod.OPTIONS, path: "/v1/projects/{writeKey}/settings" },
];

/** The route keys of the public routes, as API Gateway names them in a stage's route settings. */
export const PUBLIC_ROUTE_KEYS: readonly string[] = API_ROUTES.public.map(
  ({ method, path }) => `${method} ${path}`,
);

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
  /** How long the items the function writes are kept (their `ttl`). @default the adapters' defaults */
  readonly retention?: RetentionSettings;
  /** Where `POST /v1/events` and the preference changes put events. */
  readonly stream: IStream;
  /** Profiles: read to show the preference page and to export; deleted, and a tombstone put, on erasure. */
  readonly profiles: ITable;
  /** The send ledger: a customer's partition queried to export it, deleted in batches on erasure. */
  readonly ledger: ITable;
  /** The due-time timers: scanned for a customer's timers, which erasure deletes. */
  readonly timers: ITable;
  /** The quarantine: a customer's records listed and read to export them, deleted (every version) on erasure. */
  readonly quarantineBucket: IBucket;
  /** The audit log: erasures and exports appended, a customer's entries read for the export. */
  readonly audit: AuditTable;
  /** The watch index: a customer's watches found by its index by customer, deleted on erasure. @default - none */
  readonly watches?: WatchTable;
  /**
   * The segments table and definitions: an erased customer's entries in the segment membership index are
   * replaced by markers that keep no id. @default - no index to erase
   */
  readonly memberIndex?: { readonly table: ITable; readonly definitions: SegmentDefinitions };
  /**
   * The console's read API (`/v1/admin/...`): the campaigns and templates it shows (bundled, the templates
   * compiled) and the catalog previews read. Needs `memberIndex` (the segments table and definitions).
   * @default - no console routes
   */
  readonly console?: { readonly campaignDefinitions: CampaignDefinitions; readonly catalog: ITable };
  /** The HMAC keys verifying signed links. */
  readonly linkSecret: ISecret;
  /** Days a retired link key keeps verifying. @default 90 (the function's default) */
  readonly linkKeyGraceDays?: number;
  /** The write keys the Segment routes check (read only). */
  readonly writeKeys: WriteKeyStore;
  /**
   * Origins browsers may send Segment calls from: `"*"` or comma-separated origins.
   * @default "*"
   */
  readonly corsOrigins?: string;
  readonly settings: CampaignSettings;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
  /** On-site content (`GET /v1/content/{slot}`): what the slots read. @default - that route answers 404 */
  readonly onsite?: OnsiteProps;
  /**
   * Texts' short links (`GET /l/{token}`, public and throttled like the signed-link pages; the token is an HMAC-signed
   * reference the function checks before reading the link from the ledger table). On with `-c sms=on`.
   * @default false
   */
  readonly shortLinks?: boolean;
  /**
   * Instances reserved for the API function, and the most it runs at once: a flood on the public pages is
   * throttled there instead of starving ingest and dispatch of the account's concurrency. `"none"` reserves
   * nothing (an account whose quota is too low to reserve any).
   * @default "none"
   */
  readonly reservedConcurrency?: number | "none";
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
  /**
   * Requests per second each public route (unsubscribe, preferences, confirm) accepts: anyone may call them, so
   * they get less than the stage, leaving room for the IAM-signed routes. At most `rateLimit`.
   * @default 10
   */
  readonly publicRateLimit?: number;
  /**
   * Requests each public route accepts at once above its rate. At most `burstLimit`.
   * @default 20
   */
  readonly publicBurstLimit?: number;
}

/** What the API function reads to serve on-site content. */
export interface OnsiteProps {
  /** The catalog (read). */
  readonly catalog: ITable;
  readonly catalogCacheSeconds: number;
  /** The content library (read whole, cached). @default - no content block */
  readonly content?: ContentLibraryStore;
  /** The templates folder (blocks and `slots/`), compiled into the bundle at build time. */
  readonly templatesDir: string;
  /** Seconds browsers may keep an answer. */
  readonly maxAgeSeconds: number;
}

/** The on-site content route and its preflight, authorised by the write key like the Segment routes. */
export const CONTENT_API_ROUTES: readonly { readonly method: HttpMethod; readonly path: string }[] = [
  { method: HttpMethod.GET, path: "/v1/content/{slot}" },
  { method: HttpMethod.OPTIONS, path: "/v1/content/{slot}" },
];

/**
 * The HTTP API (API Gateway v2, payload format 2.0) in front of `functions/api`: the unsubscribe, preference and
 * subscription-confirmation pages the links in emails open (public routes, each request carrying an HMAC-signed
 * token, throttled below the stage), and, for IAM-signed requests only, `POST /v1/events` for apps that cannot
 * reach Kinesis and the admin routes that erase (`DELETE /v1/customers/{id}`) and export
 * (`GET /v1/customers/{id}/export`) a customer; with the console on AWS, the console's admin API behind its JWT
 * authorizer ({@link PublicApi.addAdminRoutes}). Throttled on the default stage, with JSON access logs in a log
 * group of their own; the function's concurrency may be reserved and capped.
 */
export class PublicApi extends Construct {
  /** The function. */
  readonly function: IFunction;
  /** The API. */
  readonly api: HttpApi;
  /** The base URL (no trailing slash): the `$default` stage serves at the root. */
  readonly url: string;
  /** The routes, by `METHOD /path`. */
  get routes(): ReadonlyMap<string, HttpRoute> {
    return this.#routes;
  }
  readonly #routes: Map<string, HttpRoute>;
  /** Invocations failed as a whole. */
  readonly errorsAlarm: IAlarm;
  readonly #integration: HttpLambdaIntegration;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    const rateLimit = props.rateLimit ?? 50;
    const burstLimit = props.burstLimit ?? 100;
    const publicRateLimit = props.publicRateLimit ?? Math.min(10, rateLimit);
    const publicBurstLimit = props.publicBurstLimit ?? Math.min(20, burstLimit);
    for (const [what, rate, burst] of [
      ["the API's", rateLimit, burstLimit],
      ["the public routes'", publicRateLimit, publicBurstLimit],
    ] as const) {
      if (!(rate > 0) || !Number.isInteger(burst) || burst < 1) {
        throw new InfraConfigError(
          `${what} throttling needs a positive rate and burst, got ${rate}/${burst}`,
        );
      }
    }
    if (publicRateLimit > rateLimit || publicBurstLimit > burstLimit) {
      throw new InfraConfigError(
        `the public routes' throttling (${publicRateLimit}/${publicBurstLimit}) must not exceed the stage's (${rateLimit}/${burstLimit})`,
      );
    }

    if (props.console !== undefined && props.memberIndex === undefined) {
      throw new InfraConfigError("the console's API needs memberIndex (the segments table and definitions)");
    }
    const consoleProps = props.memberIndex === undefined ? undefined : props.console;
    const onsite = props.onsite;
    // The console previews, and the on-site slots render, the templates compiled into the bundle (the build
    // checks them there): one compiled file for both.
    const templatesDir = consoleProps?.campaignDefinitions.templatesDir ?? onsite?.templatesDir;
    const apiFunction = new ProjectFunction(this, "Function", {
      entry: apiEntry,
      description:
        "Serves the unsubscribe, preference and confirmation pages, accepts events over HTTP (Tailor's and Segment's API), erases and exports customers",
      // Erasing walks the customer's quarantined records.
      timeout: Duration.seconds(30),
      reservedConcurrentExecutions:
        props.reservedConcurrency === "none" ? undefined : props.reservedConcurrency,
      environmentSchema: apiEnvSchema,
      environment: {
        EVENTS_STREAM: props.stream.streamName,
        PROFILES_TABLE: props.profiles.tableName,
        SEND_LEDGER_TABLE: props.ledger.tableName,
        TIMERS_TABLE: props.timers.tableName,
        QUARANTINE_BUCKET: props.quarantineBucket.bucketName,
        AUDIT_TABLE: props.audit.table.tableName,
        ...(props.watches === undefined ? {} : { WATCHES_TABLE: props.watches.table.tableName }),
        ...(props.memberIndex === undefined
          ? {}
          : { SEGMENTS_TABLE: props.memberIndex.table.tableName, SEGMENTS_DIR }),
        ...(consoleProps === undefined
          ? {}
          : {
              CAMPAIGNS_DIR,
              EMAILS_DIR,
              SAMPLES_DIR,
              TEMPLATES_FILE,
              CATALOG_TABLE: consoleProps.catalog.tableName,
            }),
        ...retentionEnvironment(props.retention, "audit"),
        WRITE_KEYS_TABLE: props.writeKeys.table.tableName,
        CORS_ALLOWED_ORIGINS: props.corsOrigins ?? "*",
        LINK_SECRET_ARN: props.linkSecret.secretArn,
        ...(props.linkKeyGraceDays === undefined
          ? {}
          : { LINK_KEY_GRACE_DAYS: String(props.linkKeyGraceDays) }),
        SHOP_NAME: props.settings.shopName,
        SHOP_URL: props.settings.shopUrl,
        ...(onsite === undefined
          ? {}
          : {
              TEMPLATES_FILE,
              EMAILS_DIR,
              CATALOG_TABLE: onsite.catalog.tableName,
              CATALOG_CACHE_SECONDS: String(onsite.catalogCacheSeconds),
              ...(onsite.content === undefined
                ? {}
                : {
                    CONTENT_TABLE: onsite.content.table.tableName,
                    CONTENT_CACHE_SECONDS: String(CONTENT_CACHE_SECONDS),
                  }),
              ...(props.settings.recommenderEndpoint === undefined
                ? {}
                : { RECOMMENDER_ENDPOINT: props.settings.recommenderEndpoint }),
              CONTENT_MAX_AGE_SECONDS: String(onsite.maxAgeSeconds),
            }),
        POWERTOOLS_SERVICE_NAME: API_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      ...(props.memberIndex === undefined
        ? {}
        : {
            bundledFolders: [
              props.memberIndex.definitions.bundledFolder,
              ...(consoleProps === undefined
                ? []
                : [
                    ...consoleProps.campaignDefinitions.bundledFolders,
                    {
                      source: join(consoleProps.campaignDefinitions.templatesDir, "samples"),
                      target: SAMPLES_DIR,
                    },
                  ]),
            ],
          }),
      ...(templatesDir === undefined
        ? {}
        : { afterBundling: compiledTemplatesHook(templatesDir, TEMPLATES_FILE) }),
    });
    const fn = apiFunction.function;
    tagLocalName(fn, "AWS::Lambda::Function", LOCAL_NAMES.apiFunction);
    props.stream.grantWrite(fn);
    props.profiles.grantReadData(fn);
    props.linkSecret.grantRead(fn);
    props.writeKeys.grantVerify(fn);
    // Erasure: the profile goes and a tombstone takes its place; the ledger partition goes in batches; the
    // customer's timers are found by a Query of the timers' customer index (no scan) and deleted one by one.
    grantTableActions(props.profiles, fn, "write", "DeleteItem", "PutItem", "BatchGetItem");
    grantTableActions(props.ledger, fn, "write", "Query", "BatchWriteItem");
    // Texts' short links: one GetItem per click (`l#<id>` items).
    if (props.shortLinks === true) grantTableActions(props.ledger, fn, "read", "GetItem");
    grantTableActions(props.timers, fn, "write", "DeleteItem");
    grantIndexQuery(props.timers, fn, TIMERS_BY_CUSTOMER_INDEX);
    props.watches?.grantErase(fn);
    // The index's entries are overwritten by erasure markers (conditional puts), one per segment.
    if (props.memberIndex !== undefined) grantTableActions(props.memberIndex.table, fn, "write", "PutItem");
    if (consoleProps !== undefined && props.memberIndex !== undefined) {
      // The console reads sizes, size history, RFM thresholds and experiment counters (Query, GetItem), the
      // catalog for previews, and samples profiles with one bounded Scan page; the ledger by customer (Query).
      grantTableActions(props.memberIndex.table, fn, "read", "GetItem", "Query");
      consoleProps.catalog.grantReadData(fn);
      grantTableActions(props.profiles, fn, "read", "Scan");
    }
    props.audit.grantAppend(fn);
    props.audit.grantRead(fn);
    if (onsite !== undefined) {
      onsite.catalog.grantReadData(fn);
      onsite.content?.grantReadAll(fn);
      if (props.settings.recommenderEndpoint !== undefined) {
        apiFunction.role.addToPrincipalPolicy(invokeEndpointsStatement([props.settings.recommenderEndpoint]));
      }
    }
    grantQuarantineErasure(fn, props.quarantineBucket);
    const reason =
      "KMS grants for the stream's, the tables' and the quarantine's keys, each scoped to its one key ARN.";
    for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
      Validations.of(apiFunction.role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
    }
    Validations.of(apiFunction.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnFinding(props.quarantineBucket, "/*")}]`,
      reason: "Erasure and export read and delete the quarantined records of one customer, found by listing.",
    });
    this.function = fn;

    const api = new HttpApi(this, "Api", {
      description: "Tailor: unsubscribe and preference pages, events over HTTP",
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, "AccessLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new HttpStage(this, "Stage", {
      httpApi: api,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat },
    });

    const integration = new HttpLambdaIntegration("Integration", fn);
    this.#integration = integration;
    const routes = new Map<string, HttpRoute>();
    for (const { method, path } of API_ROUTES.public) {
      for (const route of api.addRoutes({ path, methods: [method], integration })) {
        Validations.of(route).acknowledge({
          id: "AwsSolutions-APIG4",
          reason:
            "Opened from links in emails: each request carries an HMAC-signed token the function verifies.",
        });
        routes.set(`${method} ${path}`, route);
        // A stage naming a route in its settings fails to deploy before the route exists.
        stage.node.addDependency(route);
      }
    }
    if (props.shortLinks === true) {
      for (const route of api.addRoutes({
        path: SHORT_LINK_API_ROUTE.path,
        methods: [HttpMethod.GET],
        integration,
      })) {
        Validations.of(route).acknowledge({
          id: "AwsSolutions-APIG4",
          reason: "Opened from links in texts: the path carries an HMAC-signed token the function verifies.",
        });
        routes.set(`GET ${SHORT_LINK_API_ROUTE.path}`, route);
        stage.node.addDependency(route);
      }
    }
    throttlePublicRoutes(
      stage,
      [...PUBLIC_ROUTE_KEYS, ...(props.shortLinks === true ? [`GET ${SHORT_LINK_API_ROUTE.path}`] : [])],
      { rateLimit: publicRateLimit, burstLimit: publicBurstLimit },
    );
    // Routes whose write key (Basic auth, or a Segment body's) is the authorisation, checked by the function.
    const keyed = [
      ...SEGMENT_API_ROUTES.map((route) => ({ ...route, what: "Segment's HTTP Tracking API" })),
      ...(onsite === undefined ? [] : CONTENT_API_ROUTES).map((route) => ({
        ...route,
        what: "On-site content",
      })),
    ];
    for (const { method, path, what } of keyed) {
      for (const route of api.addRoutes({ path, methods: [method], integration })) {
        Validations.of(route).acknowledge({
          id: "AwsSolutions-APIG4",
          reason: `${what}: the write key (Basic auth or the body) is the authorisation, checked by the function against the hashed keys.`,
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
    this.#routes = routes;
    this.url = api.apiEndpoint;

    this.errorsAlarm = notifyingAlarm(this, "ErrorsAlarm", {
      description:
        "API invocations failed: unsubscribe, preference, confirmation, event, erasure or export requests get errors",
      metric: fn.metricErrors({ statistic: "Sum", period: ALARM_PERIOD }),
      threshold: 0,
      topic: props.alarmTopic,
    });
  }

  /**
   * Opens the console's admin API ({@link ADMIN_API_ROUTE}) behind `authorizer` (the console's JWT authorizer:
   * no call reaches the function without a signed-in operator), and has the function check the caller and its
   * groups in its turn (`ADMIN_AUTH=jwt`). Without it, the admin API is not routed on AWS at all.
   */
  addAdminRoutes(authorizer: IHttpRouteAuthorizer): void {
    const { method, path } = ADMIN_API_ROUTE;
    for (const route of this.api.addRoutes({
      path,
      methods: [method],
      integration: this.#integration,
      authorizer,
    })) {
      this.#routes.set(`${method} ${path}`, route);
    }
    if (!(this.function instanceof LambdaFunction)) {
      throw new InfraConfigError(
        `${this.node.path} has no function to tell about the admin API's authorizer`,
      );
    }
    const adminAuth: Pick<ApiEnv, "ADMIN_AUTH"> = { ADMIN_AUTH: "jwt" };
    for (const [name, value] of Object.entries(adminAuth)) this.function.addEnvironment(name, value);
  }
}

/** Gives each public route a throttle of its own, below the stage's (the L2 stage sets only the default). */
function throttlePublicRoutes(
  stage: HttpStage,
  keys: readonly string[],
  limits: { rateLimit: number; burstLimit: number },
): void {
  const cfnStage = stage.node.defaultChild;
  if (!(cfnStage instanceof CfnStage)) {
    throw new InfraConfigError(`${stage.node.path} has no AWS::ApiGatewayV2::Stage to throttle routes on`);
  }
  // A JSON-typed property: CloudFormation's own casing, written as is.
  cfnStage.routeSettings = Object.fromEntries(
    keys.map((key) => [
      key,
      { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit },
    ]),
  );
}

/**
 * What erasure and export do in the quarantine: list the records (and their versions: the bucket is versioned,
 * so a record is gone only when every version is), read a record and its metadata, delete every version.
 */
function grantQuarantineErasure(fn: IFunction, bucket: IBucket): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ["s3:ListBucket", "s3:ListBucketVersions"],
      resources: [bucket.bucketArn],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject", "s3:DeleteObjectVersion"],
      resources: [bucket.arnForObjects("*")],
    }),
  );
  bucket.encryptionKey?.grantDecrypt(fn);
}
