import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { resolveConsoleSettings } from "#infra/components/console-settings.js";
import { MissingSettingError } from "#infra/components/missing-setting-error.js";
import { SETTING_KEYS } from "#infra/components/setting-keys.js";
import { routesOf } from "./console-queries.js";
import { defaultApp } from "./shared-app.js";
import { environmentWithPlaceholders, logicalIdOf } from "./template-queries.js";

describe("the console's settings", () => {
  const node = (context: Record<string, unknown>) => new App({ context }).node;

  it("is off by default: no distribution, no user pool, no admin route on AWS", () => {
    const { stack, template } = defaultApp();
    expect(stack.console).toBeUndefined();
    template.resourceCountIs("AWS::CloudFront::Distribution", 0);
    template.resourceCountIs("AWS::Cognito::UserPool", 0);
    expect(routesOf(template).filter((route) => route.RouteKey.includes("/v1/admin"))).toEqual([]);
    const resource = template.toJSON().Resources[logicalIdOf(stack.api.function)];
    expect(environmentWithPlaceholders(resource, "x").ADMIN_AUTH).toBeUndefined();
  });

  it("requires the sign-in domain's prefix when on, naming it with an example", () => {
    expect(() => resolveConsoleSettings({}, node({ console: "on" }))).toThrow(MissingSettingError);
    expect(() => resolveConsoleSettings({}, node({ console: "on" }))).toThrow(
      /consoleDomainPrefix: .*-c consoleDomainPrefix=shop-tailor-ops/,
    );
  });

  it("refuses values Cognito or the stack cannot take, naming the setting and the rule", () => {
    expect(() => resolveConsoleSettings({}, node({ console: "yes" }))).toThrow(
      /console must be "on" or "off"/,
    );
    for (const prefix of ["Shop", "shop_ops", "-shop", "my-cognito-ops", "a".repeat(64)]) {
      expect(() => resolveConsoleSettings({}, node({ console: "on", consoleDomainPrefix: prefix }))).toThrow(
        /consoleDomainPrefix must be 1 to 63 lower-case letters/,
      );
    }
    expect(() =>
      resolveConsoleSettings({}, node({ console: "on", consoleDomainPrefix: "shop-ops", consoleMfa: "off" })),
    ).toThrow(/consoleMfa must be "required" or "optional"/);
  });

  it("resolves MFA as required unless optional is asked for, and knows its keys", () => {
    expect(resolveConsoleSettings({}, node({ console: "on", consoleDomainPrefix: "shop-ops" }))).toEqual({
      domainPrefix: "shop-ops",
      mfa: "required",
    });
    expect(
      resolveConsoleSettings(
        { consoleMfa: "optional" },
        node({ console: "on", consoleDomainPrefix: "shop-ops" }),
      ),
    ).toEqual({ domainPrefix: "shop-ops", mfa: "optional" });
    expect(resolveConsoleSettings({}, node({}))).toBeUndefined();
    expect(SETTING_KEYS).toEqual(expect.arrayContaining(["console", "consoleDomainPrefix", "consoleMfa"]));
  });
});
