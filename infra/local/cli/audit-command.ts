import { parseArgs } from "node:util";
import { customerHash } from "../../../shared/app/privacy/customer-hash.js";
import { DynamoAuditLog } from "../../../shared/aws/dynamo-audit-log.js";
import type { AuditEntry } from "../../../shared/ports.js";
import { LOCAL_NAMES } from "../../local-names.js";
import { LocalStackError } from "../local-errors.js";
import { intFlag, stringFlag } from "./cli-options.js";
import { explainMissing, openDynamo } from "./stack-access.js";

/** How far back `tailor audit` looks without `--since`. */
const DEFAULT_LOOKBACK_MS = 30 * 86_400_000;

/** One entry as a line: time, action, actor, customer hash (shortened), details. */
export function auditLine(entry: AuditEntry): string {
  const details = Object.entries(entry.details)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(" ");
  return `${new Date(entry.at).toISOString()}  ${entry.action.padEnd(32)} ${entry.actor}  ${entry.customerHash.slice(0, 12)}  ${details}`;
}

/**
 * `tailor audit [--customer id] [--since ISO] [--limit N] [--json]`: audit entries, newest first: one customer's
 * (by the hash of the id), or everyone's since a time (30 days by default).
 */
export async function auditCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      customer: { type: "string" },
      since: { type: "string" },
      limit: { type: "string" },
      json: { type: "boolean", default: false },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) {
    throw new LocalStackError("usage: tailor audit [--customer id] [--since ISO] [--limit N] [--json]");
  }
  const now = Date.now();
  const since = stringFlag(values.since);
  const from = since === undefined ? now - DEFAULT_LOOKBACK_MS : Date.parse(since);
  if (!Number.isFinite(from)) throw new LocalStackError(`--since: not a date and time: "${since}"`);
  const limit = intFlag(values.limit, "limit", 100, 1);
  const customer = stringFlag(values.customer);
  const dataDir = stringFlag(values["data-dir"]);
  const access = await openDynamo(dataDir);
  try {
    const audit = new DynamoAuditLog({ client: access.client, tableName: LOCAL_NAMES.auditTable });
    const read =
      customer === undefined
        ? audit.between(from, now, { limit })
        : audit
            .forCustomer(customerHash(customer), limit)
            .then((entries) => entries.filter((entry) => entry.at >= from));
    const entries = await read.catch((error: unknown) =>
      explainMissing(
        error instanceof Error && "cause" in error ? error.cause : error,
        "audit table",
        dataDir,
      ),
    );
    if (values.json) {
      process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    } else {
      const lines = entries.map(auditLine);
      lines.push(`${entries.length} audit entr${entries.length === 1 ? "y" : "ies"}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    return 0;
  } finally {
    await access.close();
  }
}
