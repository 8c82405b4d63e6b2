import { App } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { resolveLinkKeySettings } from "#infra/components/link-key-settings.js";
import { parseLinkKeyRing } from "#shared/render/link-keys.js";
import { defaultApp } from "./shared-app.js";
import { logicalIdOf } from "./template-queries.js";

const node = (context: Record<string, unknown>) => new App({ context }).node;

/** What CloudFormation stores from a `GenerateSecretString`: the template with the generated key added. */
function generatedValue(spec: Record<string, unknown>): string {
  const generated = "x".repeat(Number(spec.PasswordLength));
  if (typeof spec.SecretStringTemplate !== "string" || typeof spec.GenerateStringKey !== "string")
    return generated;
  return JSON.stringify({ ...JSON.parse(spec.SecretStringTemplate), [spec.GenerateStringKey]: generated });
}

describe("the link secret", () => {
  it("is generated at deploy as one plain key, read as the key ring's legacy key k0, its generation unchanged", () => {
    // GIVEN the stack with default settings
    const { stack, template } = defaultApp();
    const resourceOf = (construct: IConstruct) => template.toJSON().Resources[logicalIdOf(construct)];
    // THEN the secret is generated exactly as stacks deployed before key rings declared it (CloudFormation makes a
    // new value whenever GenerateSecretString changes, which would break every link already sent)...
    const spec = resourceOf(stack.linkSecret.secret).Properties.GenerateSecretString;
    expect(spec).toEqual({ PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false });
    // ...and what it generates reads as a ring of one key, k0, the current one
    const ring = parseLinkKeyRing(generatedValue(spec));
    expect(ring.current.id).toBe("k0");
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
  it("default to 90 days of grace, and read the context", () => {
    expect(resolveLinkKeySettings({}, node({}))).toEqual({ graceDays: 90 });
    expect(resolveLinkKeySettings({}, node({ linkKeyGraceDays: "120" }))).toEqual({ graceDays: 120 });
    expect(
      resolveLinkKeySettings({ linkKeyGraceDays: 60 }, node({ linkKeyGraceDays: "120" })).graceDays,
    ).toBe(60);
  });

  it("refuse a grace shorter than the links' lifetime or a non-number, naming the setting", () => {
    for (const value of ["59", "0", "ninety", "", "90.5", "4000"]) {
      expect(() => resolveLinkKeySettings({}, node({ linkKeyGraceDays: value })), value).toThrow(
        /linkKeyGraceDays must be a whole number of days from 60 \(the links' own lifetime\) to 3650 \(e\.g\. -c linkKeyGraceDays=90\)/,
      );
    }
  });
});
