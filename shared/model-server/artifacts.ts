import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { InvalidArtifactError } from "./errors.js";

const logisticSchema = z
  .object({
    kind: z.literal("logistic"),
    name: z.string().min(1),
    featureVersion: z.number().int(),
    featureNames: z.array(z.string()).min(1),
    mean: z.array(z.number()),
    scale: z.array(z.number()),
    weights: z.array(z.number()),
    bias: z.number(),
    trainedAt: z.string().optional(),
    evaluation: z.unknown().optional(),
  })
  .refine(
    (a) =>
      a.mean.length === a.featureNames.length &&
      a.scale.length === a.featureNames.length &&
      a.weights.length === a.featureNames.length,
    { message: "featureNames, mean, scale and weights must have the same length" },
  );

const recommenderSchema = z.object({
  kind: z.literal("item-cooccurrence"),
  version: z.number().int(),
  neighbours: z.record(z.string(), z.array(z.tuple([z.string(), z.number()]))),
  popular: z.array(z.string()),
  popularByCategory: z.record(z.string(), z.array(z.string())).optional(),
  trainedAt: z.string().optional(),
  evaluation: z.unknown().optional(),
});

const artifactSchema = z.discriminatedUnion("kind", [logisticSchema, recommenderSchema]);

/** A propensity model: score = sigmoid(bias + Σ wᵢ (xᵢ − meanᵢ) / scaleᵢ). */
export type LogisticArtifact = z.infer<typeof logisticSchema>;
/** An item-to-item recommender: scored neighbours per product, and best sellers to fill in. */
export type RecommenderArtifact = z.infer<typeof recommenderSchema>;
/** Any model the server can serve. */
export type ModelArtifact = LogisticArtifact | RecommenderArtifact;

/** Validates a parsed artifact (JSON value); `source` names it in the error. */
export function parseArtifact(value: unknown, source: string): ModelArtifact {
  const result = artifactSchema.safeParse(value);
  if (!result.success)
    throw new InvalidArtifactError(`${source} is not a model artifact: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Reads every `*.json` of a directory as an artifact, named after its file (`purchase_30d.json` → `purchase_30d`). */
export async function loadArtifactDirectory(directory: string): Promise<Map<string, ModelArtifact>> {
  const files = (await readdir(directory)).filter((file) => file.endsWith(".json")).sort();
  const models = new Map<string, ModelArtifact>();
  for (const file of files) {
    const path = join(directory, file);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(path, "utf8"));
    } catch (error) {
      throw new InvalidArtifactError(`${path} is not readable JSON`, error);
    }
    models.set(basename(file, ".json"), parseArtifact(value, path));
  }
  return models;
}
