import { existsSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { resolveDataDir } from "#infra/local/data-dir.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { localRegion } from "#infra/local/sdk-env.js";
import { readStackState } from "#infra/local/stack-state.js";

/** A client on the stack's data, and how to let go of it. */
export interface Access<C> {
  readonly client: C;
  /** `running`: through the stack serving the data dir; `offline`: the data dir opened directly. */
  readonly via: "running" | "offline";
  close(): Promise<void>;
}

const clientConfig = (endpoint: string) => ({
  region: localRegion,
  endpoint,
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
}

/** Refuses to open a data dir that no stack has written (rather than create an empty one and find nothing). */
function requireData(dataDir: string, emulator: string): string {
  const folder = path.join(dataDir, emulator);
  if (!existsSync(folder)) {
    throw new LocalStackError(
      `no local stack data in ${dataDir} — start the stack first: npx tailor up (or give --data-dir)`,
    );
  }
  return folder;
}

/**
 * DynamoDB on the data dir: the running stack's (found through `stack.json`) if there is one; otherwise the
 * persisted tables opened directly with a private dynalite on a free port, closed again by `close()`.
 */
export async function openDynamo(dataDirOption: string | undefined): Promise<Access<DynamoDBClient>> {
  const dataDir = resolveDataDir(dataDirOption);
  const running = readStackState(dataDir);
  if (running !== undefined) {
    const client = new DynamoDBClient(clientConfig(running.endpoints.dynamodb));
    return { client, via: "running", close: async () => client.destroy() };
  }
  // Loaded only here: a read through a running stack needs neither emulator (nor fauxqs' node:sqlite).
  const { default: dynalite } = await import("dynalite");
  const server = dynalite({ path: requireData(dataDir, "dynamodb") });
  const port = await listen(server);
  const client = new DynamoDBClient(clientConfig(`http://127.0.0.1:${port}`));
  return {
    client,
    via: "offline",
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** S3 on the data dir: the running stack's, or the persisted buckets opened directly with a private fauxqs. */
export async function openS3(dataDirOption: string | undefined): Promise<Access<S3Client>> {
  const dataDir = resolveDataDir(dataDirOption);
  const running = readStackState(dataDir);
  // Loaded only here: the commands that read DynamoDB alone do not pay for the S3 client.
  const { S3Client } = await import("@aws-sdk/client-s3");
  if (running !== undefined) {
    const client = new S3Client({ ...clientConfig(running.endpoints.s3), forcePathStyle: true });
    return { client, via: "running", close: async () => client.destroy() };
  }
  const { startFauxqs } = await import("fauxqs");
  const fauxqs = await startFauxqs({ port: 0, logger: false, dataDir: requireData(dataDir, "sqs-s3") });
  const client = new S3Client({ ...clientConfig(`http://127.0.0.1:${fauxqs.port}`), forcePathStyle: true });
  return {
    client,
    via: "offline",
    close: async () => {
      client.destroy();
      await fauxqs.stop();
    },
  };
}

/** Turns "no such table/bucket" into a hint that no stack has run on this data dir yet. */
export function explainMissing(error: unknown, what: string, dataDir: string | undefined): never {
  const name = typeof error === "object" && error !== null && "name" in error ? String(error.name) : "";
  if (name === "ResourceNotFoundException" || name === "NoSuchBucket" || name === "NotFound") {
    throw new LocalStackError(
      `no ${what} in ${resolveDataDir(dataDir)} — start the stack first: npx tailor up (or npx tailor start)`,
      error,
    );
  }
  throw error;
}
