import { z } from "zod";
import { type Statement, stateSchema } from "./template-queries.js";

/** The propensity models the stack's endpoints and training serve. */
export const SCORING_MODELS = ["purchase_30d", "churn_60d"];

/** A first artifact per scoring endpoint (`-c modelArtifacts`), as a deploy with managed endpoints needs. */
export const MODEL_ARTIFACTS = {
  purchase_30d: "models/purchase_30d/v1/model.tar.gz",
  churn_60d: "models/churn_60d/v1/model.tar.gz",
  recommendations: "models/recommendations/v1/model.tar.gz",
};

/** Every resource ARN text of `statements` granting `action`. */
export function resourcesFor(statements: readonly Statement[], action: string): string[] {
  return statements
    .filter((s) => s.Effect === "Allow" && s.Action.includes(action))
    .flatMap((s) => [s.Resource].flat())
    .map((r) => JSON.stringify(r));
}

/** A Map state's inline processor. */
export const mapSchema = z.looseObject({
  ItemProcessor: z.looseObject({ StartAt: z.string(), States: z.record(z.string(), stateSchema) }),
});

/** The ARN CDK writes for a SageMaker endpoint of the stack's account and region, as the grants name it. */
export function endpointArn(name: string): unknown {
  return {
    "Fn::Join": [
      "",
      [
        "arn:",
        { Ref: "AWS::Partition" },
        ":sagemaker:",
        { Ref: "AWS::Region" },
        ":",
        { Ref: "AWS::AccountId" },
        `:endpoint/${name}`,
      ],
    ],
  };
}
