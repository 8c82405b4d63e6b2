import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { resolveLinkKeySettings } from "#infra/components/link-key-settings.js";
import { LinkSecret } from "#infra/components/link-secret.js";
import { parseLinkKeyRing } from "#shared/render/link-keys.js";
import { defaultApp } from "./shared-app.js";
import { logicalIdOf } from "./template-queries.js";

const node = (context: Record<string, unknown>) => new App({ context }).node;

/** The `GenerateSecretString` CloudFormation gets for each LinkSecret format, in one small stack. */
function generations(): Record<"default" | "key-ring" | "plain", Record<string, unknown>> {
  const stack = new Stack(new App(), "S");
  const secrets = {
    default: new LinkSecret(stack, "Default").secret,
    "key-ring": new LinkSecret(stack, "Ring", { format: "key-ring" }).secret,
    plain: new LinkSecret(stack, "Plain", { format: "plain" }).secret,
  };
  const resources = Template.fromStack(stack).toJSON().Resources;
  const of = (secret: IConstruct) => resources[logicalIdOf(secret)].Properties.GenerateSecretString;
  return { default: of(secrets.default), "key-ring": of(secrets["key-ring"]), plain: of(secrets.plain) };
}

/** What CloudFormation stores from a `GenerateSecretString`: the template with the generated key added. */
function generatedValue(spec: Record<string, unknown>): string {
  const generated = "x".repeat(Number(spec.PasswordLength));
  if (typeof spec.SecretStringTemplate !== "string" || typeof spec.GenerateStringKey !== "string")
    return generated;
  return JSON.stringify({ ...JSON.parse(spec.SecretStringTemplate), [spec.GenerateStringKey]: generated });
}

describe("the link secret", () => {
  it("is generated at deploy as a key ring with its first key k1: the shape dispatch and the API read", () => {
    // GIVEN the stack with default settings
    const { stack, template } = defaultApp();
    const resourceOf = (construct: IConstruct) => template.toJSON().Resources[logicalIdOf(construct)];
    // THEN the secret's value is made from a template holding the current id, the key generated under that id
    const spec = resourceOf(stack.linkSecret.secret).Properties.GenerateSecretString;
    expect(spec).toEqual({
      SecretStringTemplate: '{"current":"k1"}',
      GenerateStringKey: "k1",
      PasswordLength: 48,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
    const ring = parseLinkKeyRing(generatedValue(spec));
    expect(ring.current.id).toBe("k1");
    expect(ring.current.secret).toHaveLength(48);
    // ...its ARN is an output (what `tailor links --secret-arn` takes)
    expect(template.toJSON().Outputs.LinkSecretArn.Value).toEqual(
      stack.resolve(stack.linkSecret.secret.secretArn),
    );
    // ...and the API is told the grace of retired keys
    expect(resourceOf(stack.api.function).Properties.Environment.Variables).toMatchObject({
      LINK_KEY_GRACE_DAYS: "90",
    });
  });

  it("keeps, with linkSecretFormat=plain, exactly the generation of stacks deployed before key rings", () => {
    // CloudFormation generates a new value when GenerateSecretString changes: this must be the old one, unchanged.
    const specs = generations();
    expect(specs.plain).toEqual({ PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false });
    expect(parseLinkKeyRing(generatedValue(specs.plain)).current.id).toBe("k0");
    expect(specs.default).toEqual(specs["key-ring"]);
  });

  it("acknowledges cdk-nag's rotation rule with how it is rotated", () => {
    const { stack } = defaultApp();
    const acknowledged = JSON.stringify(
      stack.linkSecret.secret.node
        .findAll()
        .flatMap((construct) => construct.node.metadata)
        .filter((entry) => entry.type === "aws:cdk:acknowledged-rules"),
    );
    expect(acknowledged).toMatch(/AwsSolutions-SMG4/);
    expect(acknowledged).toMatch(/tailor links rotate/);
  });
});

describe("link key settings", () => {
  it("default to a key ring and 90 days of grace, and read the context", () => {
    expect(resolveLinkKeySettings({}, node({}))).toEqual({ graceDays: 90, format: "key-ring" });
    expect(resolveLinkKeySettings({}, node({ linkKeyGraceDays: "120", linkSecretFormat: "plain" }))).toEqual({
      graceDays: 120,
      format: "plain",
    });
    expect(
      resolveLinkKeySettings({ linkKeyGraceDays: 60 }, node({ linkKeyGraceDays: "120" })).graceDays,
    ).toBe(60);
  });

  it("refuse a grace shorter than the links' lifetime, a non-number and an unknown format, naming the setting", () => {
    for (const value of ["59", "0", "ninety", "", "90.5", "4000"]) {
      expect(() => resolveLinkKeySettings({}, node({ linkKeyGraceDays: value })), value).toThrow(
        /linkKeyGraceDays must be a whole number of days from 60 \(the links' own lifetime\) to 3650 \(e\.g\. -c linkKeyGraceDays=90\)/,
      );
    }
    expect(() => resolveLinkKeySettings({}, node({ linkSecretFormat: "json" }))).toThrow(
      /linkSecretFormat must be "key-ring" or "plain" \(e\.g\. -c linkSecretFormat=plain/,
    );
  });
});
