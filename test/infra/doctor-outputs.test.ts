import { describe, expect, it } from "vitest";
import { resolveRescoringSettings } from "#infra/components/rescoring.js";
import { DOCTOR_OUTPUTS, RECOMMENDER_MODEL } from "#infra/stack-output-names.js";
import { defaultApp } from "./shared-app.js";

describe("the stack outputs tailor doctor reads", () => {
  it("GIVEN the default app WHEN synthesised THEN every output doctor reads names the resource or setting", () => {
    const { stack, template } = defaultApp();
    const outputs = template.toJSON().Outputs;
    const value = (key: keyof typeof DOCTOR_OUTPUTS): unknown => outputs[DOCTOR_OUTPUTS[key]]?.Value;
    const settings = stack.campaignSettings;
    expect(value("sendingIdentity")).toBe(settings.sendingIdentity);
    expect(value("configurationSetName")).toBe(settings.configurationSetName);
    expect(value("sendRatePerSecond")).toBe(String(settings.sendRatePerSecond));
    expect(value("alarmTopicArn")).toEqual(stack.resolve(stack.alarmTopic.topicArn));
    expect(value("eventStreamName")).toEqual(stack.resolve(stack.events.stream.streamName));
    const recommender = settings.recommenderEndpoint;
    expect(JSON.parse(String(value("modelEndpoints")))).toEqual({
      ...resolveRescoringSettings({}, stack.node).modelEndpoints,
      ...(recommender === undefined ? {} : { [RECOMMENDER_MODEL]: recommender }),
    });
  });
});
