import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_RESOURCES } from "#cli/console-cost.js";
import { buildApp } from "#infra/app.js";
import { ADMIN_API_PATH_PATTERN } from "#infra/components/console-site.js";
import { ADMIN_API_ROUTE } from "#infra/components/http-api.js";
import { CONSOLE_OUTPUTS } from "#infra/console-output-names.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { ADMIN_GROUP, VIEWER_GROUP } from "#shared/app/api/admin-access.js";
import { ALL_VIEWER_EXCEPT_HOST_HEADER, isCustomerRoute, routesOf } from "#test/infra/console-queries.js";
import { defaultApp } from "#test/infra/shared-app.js";
import { environmentWithPlaceholders, logicalIdOf } from "#test/infra/template-queries.js";

describe("the console on AWS (-c console=on)", () => {
  // GIVEN the app with the console on: the one extra synth of this file (no bundling, no checks)
  let stack: TailorStack;
  let template: Template;
  beforeAll(() => {
    ({ stack } = buildApp({
      settings: { ...LOCAL_STACK_SETTINGS, console: "on", consoleDomainPrefix: "shop-tailor-ops" },
      bundling: false,
      checks: false,
    }));
    template = Template.fromStack(stack);
  });
  const consoleOf = () => {
    if (stack.console === undefined) throw new Error("the console is off");
    return stack.console;
  };

  it("serves the page from a private, encrypted bucket that only the distribution reads (OAC)", () => {
    const site = consoleOf().site;
    const bucketId = logicalIdOf(site.bucket);
    template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: "s3",
        SigningBehavior: "always",
        SigningProtocol: "sigv4",
      },
    });
    template.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: "aws:kms" }) }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    const policy = JSON.stringify(
      Object.values(
        template.findResources("AWS::S3::BucketPolicy", { Properties: { Bucket: { Ref: bucketId } } }),
      ),
    );
    // CloudFront reads, for this distribution only; nothing over plain HTTP.
    expect(policy).toContain('"Service":"cloudfront.amazonaws.com"');
    expect(policy).toContain('"s3:GetObject"');
    expect(policy).toContain(`"AWS:SourceArn"`);
    expect(policy).toContain(logicalIdOf(site.distribution));
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).not.toContain('"Principal":"*","Effect":"Allow"');
  });

  it("answers over HTTPS only, with a strict CSP and the security headers, an SPA fallback and access logs", () => {
    const site = consoleOf().site;
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: "index.html",
        Logging: {
          Bucket: { "Fn::GetAtt": [logicalIdOf(site.logsBucket), "RegionalDomainName"] },
          Prefix: "cloudfront/",
        },
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: "redirect-to-https",
          AllowedMethods: ["GET", "HEAD"],
          ResponseHeadersPolicyId: { Ref: logicalIdOf(site.responseHeadersPolicy) },
          FunctionAssociations: [Match.objectLike({ EventType: "viewer-request" })],
        }),
        // No error-page rewrite: it would turn the admin API's 401, 403 and 404 into the page.
        CustomErrorResponses: Match.absent(),
      }),
    });
    const headers = template.findResources("AWS::CloudFront::ResponseHeadersPolicy");
    const config = JSON.stringify(Object.values(headers));
    for (const directive of [
      "default-src 'none'",
      "script-src 'self';",
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'none'",
      "connect-src 'self' https://cognito-idp.",
      ".amazonaws.com https://shop-tailor-ops.auth.",
    ]) {
      expect(config).toContain(directive);
    }
    expect(config).not.toContain("unsafe-eval");
    expect(config).toContain('"StrictTransportSecurity":{"AccessControlMaxAgeSec":63072000');
    expect(config).toContain('"FrameOption":"DENY"');
    template.hasResourceProperties("AWS::CloudFront::Function", {
      FunctionConfig: Match.objectLike({ Runtime: "cloudfront-js-2.0" }),
      FunctionCode: Match.stringLikeRegexp('request.uri = "/index.html"'),
    });
  });

  it("routes /v1/admin/* to the HTTP API on the page's origin: never cached, every viewer header but Host, Authorization included", () => {
    const distribution = Object.values(template.findResources("AWS::CloudFront::Distribution"));
    expect(distribution).toHaveLength(1);
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: ADMIN_API_PATH_PATTERN,
            ViewerProtocolPolicy: "https-only",
            AllowedMethods: Match.arrayWith(["GET", "POST", "DELETE"]),
            OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
          }),
        ],
        Origins: Match.arrayWith([
          Match.objectLike({ CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: "https-only" }) }),
        ]),
      }),
    });
    template.hasResourceProperties("AWS::CloudFront::CachePolicy", {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 0,
        MinTTL: 0,
        MaxTTL: 1,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: "whitelist", Headers: ["Authorization"] },
          QueryStringsConfig: { QueryStringBehavior: "all" },
        }),
      }),
    });
  });

  it("keeps operators in a user pool nobody signs up to: strong passwords, TOTP required, threat protection enforced", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
      MfaConfiguration: "ON",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
      UserPoolTier: "PLUS",
      UserPoolAddOns: { AdvancedSecurityMode: "ENFORCED" },
      UsernameAttributes: ["email"],
      DeletionProtection: "ACTIVE",
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolDomain", { Domain: "shop-tailor-ops" });
    for (const group of [ADMIN_GROUP, VIEWER_GROUP]) {
      template.hasResourceProperties("AWS::Cognito::UserPoolGroup", { GroupName: group });
    }
  });

  it("signs the page in with a public app client: code flow (PKCE), hosted UI only, back to the distribution", () => {
    const distributionUrl = {
      "Fn::Join": [
        "",
        ["https://", { "Fn::GetAtt": [logicalIdOf(consoleOf().site.distribution), "DomainName"] }, "/"],
      ],
    };
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ["openid", "email", "profile"],
      ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      SupportedIdentityProviders: ["COGNITO"],
      CallbackURLs: [distributionUrl],
      LogoutURLs: [distributionUrl],
      PreventUserExistenceErrors: "ENABLED",
    });
  });

  it("puts a JWT authorizer of the pool on every admin route, and an authorizer on every customer route", () => {
    const operators = consoleOf().operators;
    template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: {
        Audience: [{ Ref: logicalIdOf(operators.client) }],
        Issuer: Match.objectLike({
          "Fn::Join": ["", Match.arrayWith([{ Ref: logicalIdOf(operators.userPool) }])],
        }),
      },
    });
    const routes = routesOf(template);
    const customer = routes.filter((route) => isCustomerRoute(route.RouteKey));
    expect(customer.map((route) => route.RouteKey).sort()).toEqual(
      [
        "DELETE /v1/customers/{id}",
        "GET /v1/customers/{id}/export",
        `${ADMIN_API_ROUTE.method} ${ADMIN_API_ROUTE.path}`,
      ].sort(),
    );
    for (const route of customer) {
      expect(["JWT", "AWS_IAM"], route.RouteKey).toContain(route.AuthorizationType);
    }
    const admin = customer.filter((route) => route.RouteKey.includes("/v1/admin/"));
    expect(admin.map((route) => route.AuthorizationType)).toEqual(["JWT"]);
    // No other route under /v1/admin, whatever its method, can bypass the authorizer.
    expect(
      routes.filter((route) => route.RouteKey.includes("/v1/admin") && route.AuthorizationType !== "JWT"),
    ).toEqual([]);
  });

  it("has the API function check the caller in its turn", () => {
    const resource = template.toJSON().Resources[logicalIdOf(stack.api.function)];
    expect(environmentWithPlaceholders(resource, "x").ADMIN_AUTH).toBe("jwt");
  });

  it("deploys the page and a config.json with the pool's OpenID settings, resolved at deploy, then invalidates", () => {
    const operators = consoleOf().operators;
    template.hasResourceProperties("Custom::CDKBucketDeployment", {
      DestinationBucketName: { Ref: logicalIdOf(consoleOf().site.bucket) },
      DistributionId: { Ref: logicalIdOf(consoleOf().site.distribution) },
      DistributionPaths: ["/*"],
      Prune: true,
      SourceMarkers: [
        {},
        Match.objectLike({
          "<<marker:0xbaba:1>>": { Ref: logicalIdOf(operators.userPool) },
          "<<marker:0xbaba:2>>": { Ref: logicalIdOf(operators.client) },
        }),
      ],
    });
  });

  it("adds what tailor cost prices for it: one KMS key, no alarm", () => {
    const base = defaultApp().template;
    const count = (of: Template, type: string) => Object.keys(of.findResources(type)).length;
    expect(count(template, "AWS::KMS::Key") - count(base, "AWS::KMS::Key")).toBe(CONSOLE_RESOURCES.kmsKeys);
    expect(count(template, "AWS::CloudWatch::Alarm")).toBe(count(base, "AWS::CloudWatch::Alarm"));
  });

  it("outputs the console's URL, the user pool and the sign-in domain", () => {
    const outputs = template.toJSON().Outputs;
    for (const name of Object.values(CONSOLE_OUTPUTS)) expect(outputs[name], name).toBeDefined();
    expect(outputs[CONSOLE_OUTPUTS.userPoolId].Value).toEqual({
      Ref: logicalIdOf(consoleOf().operators.userPool),
    });
  });
});
