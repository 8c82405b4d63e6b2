import { describe, expect, it } from "vitest";
import { STACK_RESOURCES } from "#cli/cost-model.js";
import { resolveRescoringSettings } from "#infra/components/rescoring.js";
import { DOCTOR_OUTPUTS, DRY_RUN_OUTPUTS, RECOMMENDER_MODEL } from "#infra/stack-output-names.js";
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

  it("GIVEN the default app THEN tailor cost prices the keys, alarms, dashboards, polled queues and endpoints it declares", () => {
    const { stack, template } = defaultApp();
    const count = (type: string) => Object.keys(template.findResources(type)).length;
    expect(STACK_RESOURCES.kmsKeys).toBe(count("AWS::KMS::Key"));
    expect(STACK_RESOURCES.alarms).toBe(count("AWS::CloudWatch::Alarm"));
    const bands = Object.values(template.findResources("AWS::CloudWatch::Alarm")).filter((alarm) =>
      JSON.stringify(alarm).includes("ANOMALY_DETECTION_BAND"),
    );
    expect(STACK_RESOURCES.anomalyAlarms).toBe(bands.length);
    expect(STACK_RESOURCES.dashboards).toBe(count("AWS::CloudWatch::Dashboard"));
    const queueMappings = Object.values(template.findResources("AWS::Lambda::EventSourceMapping")).filter(
      (mapping) =>
        JSON.stringify(mapping).includes("Arn") && !JSON.stringify(mapping).includes("StartingPosition"),
    );
    expect(STACK_RESOURCES.polledQueues).toBe(queueMappings.length);
    const scoring = Object.keys(resolveRescoringSettings({}, stack.node).modelEndpoints).length;
    expect(STACK_RESOURCES.scoringModels).toBe(scoring);
    expect(STACK_RESOURCES.modelEndpoints).toBe(
      scoring + (stack.campaignSettings.recommenderEndpoint === undefined ? 0 : 1),
    );
  });

  it("GIVEN the default app THEN the outputs a dry run on AWS reads name the dispatch and fan-out part functions", () => {
    const { stack, template } = defaultApp();
    const outputs = template.toJSON().Outputs;
    expect(outputs[DRY_RUN_OUTPUTS.dispatchFunction]?.Value).toEqual(
      stack.resolve(stack.dispatch.function.functionName),
    );
    expect(outputs[DRY_RUN_OUTPUTS.fanOutPartFunction]?.Value).toEqual(
      stack.resolve(stack.campaignFanOut.functions.part.functionName),
    );
  });
});
