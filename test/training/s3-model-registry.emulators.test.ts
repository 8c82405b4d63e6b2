import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { startFauxqs } from "fauxqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3TrainingObjects } from "#shared/aws/s3-model-registry.js";
import { DependencyUnavailableError } from "#shared/errors.js";
import { registryContract } from "./registry-contract.js";

let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
let s3: S3Client;
let buckets = 0;
const bucketNames: string[] = [];

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false });
  s3 = new S3Client({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    endpoint: `http://127.0.0.1:${fauxqs.port}`,
    forcePathStyle: true,
  });
  for (let i = 0; i < 4; i++) {
    const name = `models-${i}`;
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    bucketNames.push(name);
  }
}, 30_000);

afterAll(async () => {
  s3.destroy();
  await fauxqs.stop();
});

describe("the model registry on S3 (the local stack's emulator)", () => {
  registryContract(
    () =>
      new S3TrainingObjects({ client: s3, bucketName: bucketNames[buckets++] ?? "none", listPageSize: 1 }),
  );

  it("lists past a page and fails retryably when the bucket is missing", async () => {
    const objects = new S3TrainingObjects({
      client: s3,
      bucketName: bucketNames[3] ?? "none",
      listPageSize: 2,
    });
    for (const key of ["training/a/1.csv", "training/a/2.csv", "training/a/3.csv", "training/b/1.csv"])
      await objects.put(key, new TextEncoder().encode(key), "text/csv");
    expect(await objects.list("training/a/")).toEqual([
      "training/a/1.csv",
      "training/a/2.csv",
      "training/a/3.csv",
    ]);
    const missing = new S3TrainingObjects({ client: s3, bucketName: "no-such-bucket" });
    await expect(missing.put("x", new Uint8Array(), "text/plain")).rejects.toThrow(
      DependencyUnavailableError,
    );
  });
});
