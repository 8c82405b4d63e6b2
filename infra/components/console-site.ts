import { Annotations, Duration, Fn, RemovalPolicy, Validations } from "aws-cdk-lib";
import {
  AllowedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { Key } from "aws-cdk-lib/aws-kms";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { BucketDeployment, type ISource } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import { arnFinding } from "./nag-findings.js";
import { privateBucketProps } from "./private-bucket.js";

/** The path pattern CloudFront sends to the HTTP API: the console's admin API, on the console's own origin. */
export const ADMIN_API_PATH_PATTERN = "/v1/admin/*";

/** Props of {@link ConsoleSite}. */
export interface ConsoleSiteProps {
  /** The HTTP API's endpoint, `https://<id>.execute-api.<region>.amazonaws.com` (its `$default` stage). */
  readonly apiEndpoint: string;
  /** Origins the page may call besides its own (the sign-in's endpoints), for the CSP's `connect-src`. */
  readonly signInOrigins: readonly string[];
  /** How long the access logs are kept. @default 90 days */
  readonly logRetention?: Duration;
}

/**
 * The console's strict Content Security Policy: its own scripts only (no inline script, no `eval`), its calls to
 * its own origin (the admin API) and the sign-in's endpoints, never framed. Styles may be inline and images
 * from any HTTPS origin because the page previews emails, whose MJML output is styled inline and whose images
 * are the shop's; styles and images run no code. Frames only from its own origin (template previews).
 */
export function consoleContentSecurityPolicy(signInOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    `connect-src 'self' ${signInOrigins.join(" ")}`,
    "frame-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "manifest-src 'self'",
  ].join("; ");
}

/**
 * Serves every path that is not one of the page's files as `/index.html` (the page routes in the browser, and
 * its paths may hold dots: `/customers/ana@shop.example`), on the page's behaviour only: the admin API's 404s
 * stay 404s.
 */
const SPA_FALLBACK = `var PAGE_FILE = /\\.(?:html|js|mjs|css|json|map|txt|ico|svg|png|jpe?g|webp|gif|woff2?)$/;
function handler(event) {
  var request = event.request;
  if (!PAGE_FILE.test(request.uri)) request.uri = "/index.html";
  return request;
}`;

/**
 * The console as a static site: a private, encrypted bucket read by CloudFront only (Origin Access Control),
 * a distribution that is HTTPS only, adds the security headers with a strict CSP, falls back to
 * `index.html` for the page's own routes and logs every request; and a second behaviour, `/v1/admin/*`, to
 * the HTTP API (never cached, every viewer header but `Host`, the `Authorization` header included), so the page
 * calls the admin API on its own origin, without CORS. {@link deploy} puts the built page and its
 * `config.json` in the bucket and invalidates the distribution.
 */
export class ConsoleSite extends Construct {
  readonly bucket: IBucket;
  readonly distribution: Distribution;
  readonly logsBucket: IBucket;
  /** `https://<distribution domain>/`: the console's URL, also where the sign-in sends the browser back. */
  readonly url: string;
  readonly responseHeadersPolicy: ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const key = new Key(this, "Key", {
      description: "Encrypts the Tailor console's page bucket",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logs = new Bucket(this, "AccessLogs", {
      // CloudFront's standard logs are delivered with an ACL, to a bucket with S3-managed keys.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: props.logRetention ?? Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This is the access-log bucket itself; logging it would only log the log deliveries.",
    });
    const bucket = new Bucket(this, "Page", {
      ...privateBucketProps(key),
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: "s3/",
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      // Only the built page: a new deploy writes it again.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });

    this.responseHeadersPolicy = new ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "Tailor console: strict CSP, HSTS, no framing, no sniffing, no referrer",
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy(props.signInOrigins),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: "permissions-policy",
            value: "camera=(), microphone=(), geolocation=(), payment=()",
            override: true,
          },
        ],
      },
    });
    // The Authorization header reaches an origin only as part of the cache key, and a policy that never caches
    // may not have one: a TTL of at most a second, and the API answers `cache-control: no-store` anyway.
    const adminApiCache = new CachePolicy(this, "AdminApiCache", {
      comment: "Tailor admin API: not cached; the Authorization header is forwarded",
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: CacheHeaderBehavior.allowList("Authorization"),
      queryStringBehavior: CacheQueryStringBehavior.all(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const spaFallback = new CloudFrontFunction(this, "SpaFallback", {
      comment: "Tailor console: the page's own routes serve index.html",
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(SPA_FALLBACK),
    });
    const apiHost = Fn.select(2, Fn.split("/", props.apiEndpoint));
    this.distribution = new Distribution(this, "Distribution", {
      comment: "Tailor console",
      defaultRootObject: "index.html",
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: "cloudfront/",
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
        functionAssociations: [{ function: spaFallback, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [ADMIN_API_PATH_PATTERN]: {
          origin: new HttpOrigin(apiHost, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: adminApiCache,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.responseHeadersPolicy,
          compress: true,
        },
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: "AwsSolutions-CFR1",
        reason:
          "Operators sign in from anywhere; the page holds no data, the admin API needs a signed-in operator.",
      },
      {
        id: "AwsSolutions-CFR2",
        reason:
          "No WAF: the page is static and every admin call is refused at the API's JWT authorizer without a token; a web ACL costs more than the console.",
      },
      {
        id: "AwsSolutions-CFR4",
        reason:
          "The default *.cloudfront.net certificate (its TLS policy is CloudFront's); a custom domain is the deployer's to add.",
      },
    );
    Annotations.of(this).acknowledgeWarning(
      "@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac",
      "The page's key lets CloudFront decrypt for this account's distributions (SourceArn wildcard on the ID): " +
        "naming this one would make the key, the bucket and the distribution depend on each other.",
    );
    this.bucket = bucket;
    this.logsBucket = logs;
    this.url = `https://${this.distribution.distributionDomainName}/`;
  }

  /**
   * Puts the page (`page`, the built index.html, app.js and app.css) and `config` (written as `config.json`,
   * tokens resolved at deploy) in the bucket, replacing what was there, and invalidates the distribution's cache.
   */
  deploy(page: ISource, config: ISource): BucketDeployment {
    const deployment = new BucketDeployment(this, "Deployment", {
      sources: [page, config],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ["/*"],
      prune: true,
      memoryLimit: 512,
    });
    acknowledgeDeploymentHandler(deployment, this.bucket);
    return deployment;
  }
}

/**
 * The findings of the CDK's own bucket-deployment handler (a singleton function of the stack, run at deploy
 * only): its runtime and role are the CDK's, its grants the ones `BucketDeployment` writes for the asset bucket,
 * the page bucket, its key and the invalidation.
 */
function acknowledgeDeploymentHandler(deployment: BucketDeployment, bucket: IBucket): void {
  const handler = deployment.handlerRole.node.scope;
  if (handler === undefined) return;
  const reason =
    "The CDK's bucket-deployment handler: it copies the built page from the CDK asset bucket to the console's bucket (and its key) and invalidates the distribution, at deploy only.";
  Validations.of(handler).acknowledge(
    { id: "AwsSolutions-L1", reason: "The CDK's own handler; its runtime moves with aws-cdk-lib." },
    {
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      reason: "The CDK's own handler writes its logs with the basic execution role.",
    },
    ...[
      "Action::s3:GetBucket*",
      "Action::s3:GetObject*",
      "Action::s3:List*",
      "Action::s3:Abort*",
      "Action::s3:DeleteObject*",
      "Action::kms:GenerateDataKey*",
      "Action::kms:ReEncrypt*",
      "Resource::*",
      "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
    ].map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason })),
  );
  Validations.of(handler).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arnFinding(bucket, "/*")}]`,
    reason,
  });
}
