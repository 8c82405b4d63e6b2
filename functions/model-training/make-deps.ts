import { S3Client } from "@aws-sdk/client-s3";
import { ObjectModelRegistry } from "#shared/app/training/object-model-registry.js";
import type { TrainingStepDeps } from "#shared/app/training/training-steps.js";
import { S3EventArchive } from "#shared/aws/s3-event-archive.js";
import { S3TrainingObjects } from "#shared/aws/s3-model-registry.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import type { Clock } from "#shared/ports.js";
import type { ModelTrainingEnv } from "./env.js";

/** The model-training function's composition root: one S3 client for the archive and the model bucket. */
export function makeTrainingDeps(env: ModelTrainingEnv, clock: Clock = runtimeClock): TrainingStepDeps {
  const s3 = new S3Client({});
  const objects = new S3TrainingObjects({ client: s3, bucketName: env.MODEL_BUCKET });
  return {
    archive: new S3EventArchive({ client: s3, bucketName: env.ARCHIVE_BUCKET }),
    objects,
    registry: new ObjectModelRegistry(objects),
    clock,
    source: "archive",
  };
}
