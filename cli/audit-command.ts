import { parseArgs } from "node:util";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import type { AuditEntry } from "#shared/ports.js";
import { nothingFound } from "./cli-errors.js";
import { intFlag, stringFlag } from "./cli-options.js";

/** How far back `tailor audit` looks without `--since`. */
const DEFAULT_LOOKBACK_MS = 30 * 86_400_000;

/** One entry as a line: time, action, actor, customer hash (shortened), details. */
export function auditLine(entry: AuditEntry): string {
  const details = Object.entries(entry.details)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(" ");
  return `${new Date(entry.at).toISOString()}  ${entry.action.padEnd(32)} ${entry.actor}  ${entry.customerHash.slice(0, 12)}  ${details}`;
}

/** The most entries one read returns (`DynamoAuditLog`'s cap). */
const MAX_LIMIT = 1000;

const USAGE =
  "usage: tailor audit [--customer id] [--since ISO] [--until ISO] [--limit N] [--json] [--data-dir D]";

const isoOf = (ms: number) => new Date(ms).toISOString();

function timeFlag(value: unknown, flag: string, fallback: number): number {
  const text = stringFlag(value);
  if (text === undefined) return fallback;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new LocalStackError(`--${flag}: not a date and time: "${text}"`);
  return ms;
}

/**
 * `tailor audit [--customer id] [--since ISO] [--until ISO] [--limit N] [--json]`: audit entries, newest first:
 * one customer's (by the hash of the id), or everyone's between two times (the last 30 days by default). Says
 * (on stderr) when it stopped at the limit and how to see more; a filter that finds nothing exits 1.
 */
export async function auditCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      customer: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      limit: { type: "string" },
      json: { type: "boolean", default: false },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new LocalStackError(USAGE);
  const now = Date.now();
  const to = timeFlag(values.until, "until", now);
  const from = timeFlag(values.since, "since", to - DEFAULT_LOOKBACK_MS);
  if (from > to) throw new LocalStackError(`--since ${isoOf(from)} is after --until ${isoOf(to)}`);
  const limit = intFlag(values.limit, "limit", 100, 1);
  if (limit > MAX_LIMIT) {
    throw new LocalStackError(`--limit: at most ${MAX_LIMIT} — narrow the range with --since and --until`);
  }
  // One more than shown, when the cap allows: whether there are more is then known, not guessed.
  const probe = Math.min(limit + 1, MAX_LIMIT);
  const customer = stringFlag(values.customer);
  const dataDir = stringFlag(values["data-dir"]);
  // Loaded once the arguments are checked: a usage error does not wait for the AWS SDK.
  const [{ DynamoAuditLog }, { explainMissing, openDynamo }] = await Promise.all([
    import("#shared/aws/dynamo-audit-log.js"),
    import("./stack-access.js"),
  ]);
  const access = await openDynamo(dataDir);
  try {
    const audit = new DynamoAuditLog({ client: access.client, tableName: LOCAL_NAMES.auditTable });
    const read =
      customer === undefined
        ? audit.between(from, to, { limit: probe })
        : audit
            .forCustomer(customerHash(customer), probe)
            .then((entries) => entries.filter((entry) => entry.at >= from && entry.at <= to));
    const found = await read.catch((error: unknown) =>
      explainMissing(
        error instanceof Error && "cause" in error ? error.cause : error,
        "audit table",
        dataDir,
      ),
    );
    const entries = found.slice(0, limit);
    const filtered = customer !== undefined || values.since !== undefined || values.until !== undefined;
    const range = `${isoOf(from)} … ${isoOf(to)}`;
    if (entries.length === 0 && filtered) {
      return nothingFound(
        "audit",
        `no audit entries${customer === undefined ? "" : ` for ${customer}`} in ${range}`,
        "widen the range with --since / --until, or check the id",
      );
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    } else {
      const lines = entries.map(auditLine);
      lines.push(`${entries.length} audit entr${entries.length === 1 ? "y" : "ies"} in ${range}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    const more = found.length > limit || (found.length === MAX_LIMIT && limit === MAX_LIMIT);
    const oldest = entries.at(-1);
    if (more && oldest !== undefined) {
      const how =
        customer === undefined
          ? `see more with --limit N (up to ${MAX_LIMIT}) or older ones with --until ${isoOf(oldest.at - 1)}`
          : `see more with --limit N (up to ${MAX_LIMIT})`;
      process.stderr.write(
        `tailor audit: stopped at --limit ${limit}; ${found.length > limit ? "there are more" : "there may be more"} — ${how}\n`,
      );
    }
    return 0;
  } finally {
    await access.close();
  }
}
