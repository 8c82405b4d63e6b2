import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { resolveStreamSettings } from "#infra/components/stream-settings.js";

const node = (context: Record<string, unknown>) => new App({ context }).node;

describe("the event stream's mode, shards and retention", () => {
  it("is one provisioned shard keeping records 24 hours by default", () => {
    expect(resolveStreamSettings({}, node({}))).toEqual({
      mode: "provisioned",
      shards: 1,
      retentionHours: 24,
    });
  });

  it("reads each from the context, and refuses what does not fit, naming it with an example", () => {
    expect(resolveStreamSettings({}, node({ streamShards: "4", streamRetentionHours: "168" }))).toEqual({
      mode: "provisioned",
      shards: 4,
      retentionHours: 168,
    });
    expect(resolveStreamSettings({}, node({ streamMode: "on-demand" }))).toEqual({
      mode: "on-demand",
      shards: undefined,
      retentionHours: 24,
    });
    expect(() => resolveStreamSettings({}, node({ streamMode: "ondemand" }))).toThrow(
      /streamMode must be one of provisioned, on-demand \(e\.g\. -c streamMode=on-demand\)/,
    );
    expect(() => resolveStreamSettings({}, node({ streamShards: "0" }))).toThrow(
      /streamShards must be a whole number/,
    );
    expect(() => resolveStreamSettings({}, node({ streamRetentionHours: "12" }))).toThrow(
      /streamRetentionHours/,
    );
    expect(() => resolveStreamSettings({}, node({ streamMode: "on-demand", streamShards: "2" }))).toThrow(
      /streamShards applies to a provisioned stream only/,
    );
  });
});
