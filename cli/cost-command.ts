import { parseArgs } from "node:util";
import { type CostVolumes, estimateCost, parseCount } from "./cost-model.js";
import { PRICES_REGION } from "./cost-prices.js";
import { formatCostReport } from "./cost-report.js";
import { OperationsError } from "./operations-error.js";

const USAGE =
  "usage: tailor cost --events 50M --profiles 2M --emails 10M [--model-calls N] [--stream provisioned|on-demand] [--model-hosting instances|serverless] [--console-operators N] [--texts N] [--region us-east-1] [--json]";

/** The count of `--flag`, if given; names the flag and the forms it takes when it is not a count. */
function countFlag(values: Readonly<Record<string, unknown>>, flag: string): number | undefined {
  const value = values[flag];
  if (value === undefined) return undefined;
  const count = typeof value === "string" ? parseCount(value) : undefined;
  if (count === undefined) {
    throw new OperationsError(
      `--${flag}: expected a count like 50M, 2k, 1.5M or 10000, got "${String(value)}"`,
    );
  }
  return count;
}

/** Parses `tailor cost`'s arguments into the volumes to price. */
export function parseCostArgs(argv: readonly string[]): { volumes: CostVolumes; json: boolean } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      events: { type: "string" },
      profiles: { type: "string" },
      emails: { type: "string" },
      "model-calls": { type: "string" },
      "console-operators": { type: "string" },
      texts: { type: "string" },
      stream: { type: "string", default: "provisioned" },
      "model-hosting": { type: "string", default: "instances" },
      region: { type: "string", default: PRICES_REGION },
      json: { type: "boolean", default: false },
      // Every command takes --data-dir (the usage says so); this one reads no local stack.
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new OperationsError(USAGE);
  const missing = (["events", "profiles", "emails"] as const).filter((flag) => values[flag] === undefined);
  if (missing.length > 0) {
    throw new OperationsError(`${missing.map((flag) => `--${flag}`).join(", ")} required — ${USAGE}`);
  }
  const stream = values.stream;
  if (stream !== "provisioned" && stream !== "on-demand") {
    throw new OperationsError(`--stream: expected provisioned or on-demand, got "${stream}"`);
  }
  const modelHosting = values["model-hosting"];
  if (modelHosting !== "instances" && modelHosting !== "serverless") {
    throw new OperationsError(`--model-hosting: expected instances or serverless, got "${modelHosting}"`);
  }
  if (values.region !== PRICES_REGION) {
    throw new OperationsError(
      `--region: the price table is ${PRICES_REGION}'s only; other regions differ by up to a third (see the pricing pages)`,
    );
  }
  const modelCalls = countFlag(values, "model-calls");
  const operators = countFlag(values, "console-operators");
  const texts = countFlag(values, "texts");
  return {
    volumes: {
      events: countFlag(values, "events") ?? 0,
      profiles: countFlag(values, "profiles") ?? 0,
      emails: countFlag(values, "emails") ?? 0,
      ...(modelCalls === undefined ? {} : { modelCalls }),
      stream,
      ...(operators === undefined ? {} : { console: { operators } }),
      modelHosting,
      ...(texts === undefined ? {} : { sms: { texts } }),
    },
    json: values.json,
  };
}

/**
 * `tailor cost --events 50M --profiles 2M --emails 10M`: the monthly AWS cost of a deployment for those volumes,
 * line by line, with the assumptions and the price sources (docs/operations.md).
 */
export async function costCommand(argv: readonly string[]): Promise<number> {
  const { volumes, json } = parseCostArgs(argv);
  const estimate = estimateCost(volumes);
  process.stdout.write(
    json ? `${JSON.stringify({ volumes, ...estimate }, null, 2)}\n` : formatCostReport(volumes, estimate),
  );
  return 0;
}
