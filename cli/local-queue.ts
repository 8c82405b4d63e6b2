import { GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { dataSubdir, resolveDataDir } from "#infra/local/data-dir.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { localRegion } from "#infra/local/sdk-env.js";
import { readStackState } from "#infra/local/stack-state.js";

const clientConfig = (endpoint: string) => ({
  region: localRegion,
  endpoint,
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});

/**
 * A queue of the data dir's stack by its local name: through the running stack, or its persisted queues opened
 * directly with a private fauxqs; `what` names it in the error when no stack created it yet.
 */
export async function openLocalQueue(
  dataDirOption: string | undefined,
  queueName: string,
  what: string,
): Promise<{ client: SQSClient; queueUrl: string; close(): Promise<void> }> {
  const dataDir = resolveDataDir(dataDirOption);
  const running = readStackState(dataDir);
  let client: SQSClient;
  let stop = async () => {};
  if (running !== undefined) {
    client = new SQSClient(clientConfig(running.endpoints.sqs));
  } else {
    const fauxqs = await startFauxqs({
      port: 0,
      logger: false,
      defaultRegion: localRegion,
      dataDir: dataSubdir(dataDir, "sqs-s3"),
    });
    client = new SQSClient(clientConfig(`http://127.0.0.1:${fauxqs.port}`));
    stop = () => fauxqs.stop();
  }
  try {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queueName }));
    if (QueueUrl === undefined) throw new LocalStackError(`the ${what} has no URL`);
    return {
      client,
      queueUrl: QueueUrl,
      close: async () => {
        client.destroy();
        await stop();
      },
    };
  } catch (error) {
    client.destroy();
    await stop();
    if (
      typeof error === "object" &&
      error !== null &&
      "name" in error &&
      error.name === "QueueDoesNotExist"
    ) {
      throw new LocalStackError(
        `no ${what} in ${dataDir}: run \`npx tailor start\` or \`npx tailor up\` first`,
        error,
      );
    }
    throw error;
  }
}
