import { App, Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { resolveDataQualitySettings, WATCHED_EVENT_TYPES } from "#infra/components/data-quality.js";
import { SETTING_KEYS } from "#infra/components/setting-keys.js";
import { EVENT_TYPE_DIMENSIONS } from "#shared/domain/events/event-type-dimension.js";
import { defaultApp } from "./shared-app.js";
import { logicalIdOf } from "./template-queries.js";

/** The template's alarm resource of `alarm`, as JSON. */
function resourceOf(template: Template, alarm: IConstruct): string {
  const found = template.findResources("AWS::CloudWatch::Alarm")[logicalIdOf(alarm)];
  if (found === undefined) throw new Error(`${alarm.node.path} is not in the template`);
  return JSON.stringify(found);
}

describe("data-quality alarms", () => {
  it("GIVEN the default app THEN the quarantined share over 15 minutes alarms above 1 % on the topic", () => {
    const { stack, template } = defaultApp();
    const alarm = resourceOf(template, stack.dataQuality.quarantineShare);
    expect(alarm).toContain('"Threshold":1');
    expect(alarm).toContain("EventsQuarantined");
    expect(alarm).toContain("EventsIngested");
    expect(alarm).toContain("100 * FILL(quarantined, 0)");
    expect(alarm).toContain('"Period":900');
    expect(alarm).toContain(JSON.stringify(stack.resolve(stack.alarmTopic.topicArn)));
  });

  it("GIVEN the default app THEN each main event type has an hourly anomaly model and a band alarm on the topic", () => {
    const { stack, template } = defaultApp();
    expect(WATCHED_EVENT_TYPES.every((type) => EVENT_TYPE_DIMENSIONS.includes(type))).toBe(true);
    for (const eventType of WATCHED_EVENT_TYPES) {
      template.hasResourceProperties("AWS::CloudWatch::AnomalyDetector", {
        SingleMetricAnomalyDetector: {
          Namespace: "Tailor",
          MetricName: "EventsByType",
          Dimensions: [
            { Name: "service", Value: "ingest" },
            { Name: "eventType", Value: eventType },
          ],
          Stat: "Sum",
        },
      });
      const alarmConstruct = stack.dataQuality.eventVolume.get(eventType);
      if (alarmConstruct === undefined) throw new Error(`no alarm for ${eventType}`);
      const alarm = resourceOf(template, alarmConstruct);
      expect(alarm).toContain("LessThanLowerOrGreaterThanUpperThreshold");
      expect(alarm).toContain("ANOMALY_DETECTION_BAND(m0, 3)");
      expect(alarm).toContain(`"Value":"${eventType}"`);
      expect(alarm).toContain('"Period":3600');
      expect(alarm).toContain(JSON.stringify(stack.resolve(stack.alarmTopic.topicArn)));
    }
  });

  it("GIVEN the default app THEN the largest feature PSI of a nightly run alarms above 0.25", () => {
    const { stack, template } = defaultApp();
    const alarm = resourceOf(template, stack.dataQuality.featureDrift);
    expect(alarm).toContain('"MetricName":"FeatureDriftMax"');
    expect(alarm).toContain('"Threshold":0.25');
    expect(alarm).toContain('"Statistic":"Maximum"');
    expect(alarm).toContain('"Value":"rescore"');
  });

  it("GIVEN settings THEN they are read from the context, checked, and named in their errors with an example", () => {
    const stack = new Stack(
      new App({ context: { quarantineSharePercent: "2.5", eventVolumeStdDevs: 4 } }),
      "Settings",
    );
    expect(resolveDataQualitySettings({}, stack.node)).toEqual({
      quarantineSharePercent: 2.5,
      featureDriftThreshold: 0.25,
      eventVolumeStdDevs: 4,
    });
    expect(() => resolveDataQualitySettings({ quarantineSharePercent: 0 }, stack.node)).toThrow(
      /quarantineSharePercent: expected a percentage.*e\.g\. -c quarantineSharePercent=2/,
    );
    expect(() => resolveDataQualitySettings({ featureDriftThreshold: -1 }, stack.node)).toThrow(
      /featureDriftThreshold: .*e\.g\. -c featureDriftThreshold=0\.25/,
    );
    for (const key of ["quarantineSharePercent", "featureDriftThreshold", "eventVolumeStdDevs"]) {
      expect(SETTING_KEYS).toContain(key);
    }
  });
});
