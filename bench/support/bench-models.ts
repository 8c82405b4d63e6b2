import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { trainAll } from "../../shared/app/training/index.js";
import { SageMakerScorer } from "../../shared/aws/sagemaker-scorer.js";
import { startModelServer } from "../../shared/model-server/index.js";
import { simulatedHistory } from "../../shared/sim/index.js";

/** The models the rescoring benchmarks score with. */
export const BENCH_MODELS = ["purchase_30d", "churn_60d"];

/**
 * Trains the two scoring models on simulated history (as `tailor train` does), serves them with the model server
 * over the SageMaker runtime protocol, and makes scorers for it (`rowsPerCall` rows per InvokeEndpoint).
 */
export async function serveBenchModels(dataDir: string, log: (line: string) => void) {
  log("training the models on simulated history…");
  const { artifacts } = trainAll(simulatedHistory({ seed: 1, customers: 600, days: 90 }));
  const models = join(dataDir, "models");
  mkdirSync(models, { recursive: true });
  writeFileSync(join(models, "purchase_30d.json"), JSON.stringify(artifacts.purchase));
  writeFileSync(join(models, "churn_60d.json"), JSON.stringify(artifacts.churn));
  const server = await startModelServer({ port: 0, models });
  return {
    scorer: (rowsPerCall: number) =>
      new SageMakerScorer({
        client: new SageMakerRuntimeClient({
          endpoint: server.url,
          region: "us-east-1",
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        }),
        maxRowsPerCall: rowsPerCall,
      }),
    stop: () => server.stop(),
  };
}
