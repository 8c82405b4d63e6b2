import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { MissingSettingError } from "#infra/components/missing-setting-error.js";
import { SETTING_KEYS } from "#infra/components/setting-keys.js";
import { resolveSmsSettings } from "#infra/components/sms-settings.js";
import { defaultApp } from "./shared-app.js";

const IDENTITY = "arn:aws:sms-voice:eu-west-1:123456789012:phone-number/phone-0123456789abcdef";
const SMS_ON = { sms: "on", smsOriginationIdentity: IDENTITY, smsConfigurationSet: "tailor-sms" } as const;

const contextNode = (context: Record<string, string>) => new App({ context }).node;

describe("SMS settings (-c sms=on)", () => {
  it("are off by default, and every key is a known setting", () => {
    expect(resolveSmsSettings({}, contextNode({}))).toBeUndefined();
    expect(SETTING_KEYS).toEqual(
      expect.arrayContaining(["sms", "smsOriginationIdentity", "smsConfigurationSet"]),
    );
  });

  it("require the identity ARN and the configuration set when on, naming both with examples", () => {
    const missing = () => resolveSmsSettings({}, contextNode({ sms: "on" }));
    expect(missing).toThrow(MissingSettingError);
    expect(missing).toThrow(/smsOriginationIdentity: .* e\.g\. -c smsOriginationIdentity=arn:aws:sms-voice:/);
    expect(missing).toThrow(/smsConfigurationSet: .* e\.g\. -c smsConfigurationSet=tailor-sms/);
  });

  it("refuse an identity that is no ARN, a bad configuration set name, or a switch that is not on/off", () => {
    expect(() =>
      resolveSmsSettings({ ...SMS_ON, smsOriginationIdentity: "+15555550100" }, contextNode({})),
    ).toThrow(/smsOriginationIdentity must be the ARN of a phone number, sender id or pool \(e\.g\./);
    expect(() =>
      resolveSmsSettings({ ...SMS_ON, smsConfigurationSet: "no spaces" }, contextNode({})),
    ).toThrow(/smsConfigurationSet must be 1 to 64 letters/);
    expect(() => resolveSmsSettings({}, contextNode({ sms: "yes" }))).toThrow(/sms must be "on" or "off"/);
  });

  it("leave the default stack without SMS: no SMS function, topic, grant or dispatch setting", () => {
    const { stack, template } = defaultApp();
    expect(stack.smsFeedback).toBeUndefined();
    template.resourceCountIs("AWS::SNS::Topic", 1);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/sms-voice|SMS_ORIGINATION_IDENTITY/);
  });
});
