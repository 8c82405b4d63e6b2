import { parseArgs } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { parseDuration } from "#shared/domain/segments/duration.js";
import type { WriteKeyRecord } from "#shared/domain/write-keys/write-key.js";
import { stringFlag } from "./cli-options.js";

const USAGE = `usage: tailor keys create --source <name> | list | revoke <id> | rotate <id> [--grace 24h]
       [--json] [--data-dir D]  (the local stack), or [--table <name> --region <r>] (AWS, default credentials)`;

const iso = (ms: number) => new Date(ms).toISOString();

/** One key as a line of `tailor keys list`: id, source, created, and revoked (or when it will be). */
export function keyLine(record: WriteKeyRecord, now: number): string {
  const state =
    record.revokedAt === undefined
      ? "active"
      : record.revokedAt <= now
        ? `revoked ${iso(record.revokedAt)}`
        : `revoked from ${iso(record.revokedAt)} (grace period)`;
  return `${record.id}  ${record.source.padEnd(12)} created ${iso(record.createdAt)}  ${state}`;
}

/** Where the keys are: the local stack's table (running or offline), or a table on AWS. */
interface KeyTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  close(): Promise<void>;
}

async function openKeyTable(values: Readonly<Record<string, unknown>>): Promise<KeyTable> {
  const table = stringFlag(values.table);
  const region = stringFlag(values.region);
  if (table !== undefined) {
    // AWS: the default credential chain (profile, SSO, environment), the table named by the stack's output.
    const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
    const client = new DynamoDBClient(region === undefined ? {} : { region });
    return { client, tableName: table, close: async () => client.destroy() };
  }
  if (region !== undefined) throw new LocalStackError("--region goes with --table (a table on AWS)");
  const { openDynamo } = await import("./stack-access.js");
  const access = await openDynamo(stringFlag(values["data-dir"]));
  return { client: access.client, tableName: LOCAL_NAMES.writeKeysTable, close: () => access.close() };
}

function graceOf(value: unknown): number {
  const text = stringFlag(value);
  if (text === undefined || text.trim() === "0") return 0;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new LocalStackError(`--grace: expected 0 or a duration like 30m, 24h or 7d, got "${text}"`);
  return ms;
}

const printKey = (key: string, record: WriteKeyRecord) =>
  `${key}\n(write key ${record.id} for source "${record.source}": shown once, stored only as its SHA-256)\n`;

/**
 * `tailor keys create --source web | list | revoke <id> | rotate <id> [--grace 24h]`: the write keys of the
 * Segment-compatible HTTP API. `create` and `rotate` print the new key once (only its SHA-256 is stored); the
 * API refuses a revoked key within 30 s (its cache). Against the local stack's data dir, or with
 * `--table <name> --region <r>` a table on AWS with the default credentials.
 */
export async function keysCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      source: { type: "string" },
      grace: { type: "string" },
      table: { type: "string" },
      region: { type: "string" },
      json: { type: "boolean", default: false },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, id, ...extra] = positionals;
  const needsId = action === "revoke" || action === "rotate";
  if (
    extra.length > 0 ||
    (action !== "create" && action !== "list" && !needsId) ||
    (needsId && id === undefined) ||
    (!needsId && id !== undefined)
  ) {
    throw new LocalStackError(USAGE);
  }
  const source = stringFlag(values.source);
  if (action === "create" && source === undefined)
    throw new LocalStackError(`--source is required\n${USAGE}`);
  const graceMs = graceOf(values.grace);
  const [{ DynamoWriteKeyRegistry }, manage] = await Promise.all([
    import("#shared/aws/dynamo-write-key-registry.js"),
    import("#shared/app/write-keys/manage-write-keys.js"),
  ]);
  const table = await openKeyTable(values);
  try {
    const deps = {
      registry: new DynamoWriteKeyRegistry({ client: table.client, tableName: table.tableName }),
      clock: { now: () => Date.now() },
    };
    const out = (value: unknown, text: string) =>
      process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : text);
    if (action === "create") {
      const issued = await manage.createWriteKey(deps, source ?? "");
      out(issued, printKey(issued.key, issued.record));
    } else if (action === "list") {
      const records = await deps.registry.list();
      const now = Date.now();
      out(
        records,
        records.length === 0
          ? "no write keys — create one: tailor keys create --source web\n"
          : `${records.map((record) => keyLine(record, now)).join("\n")}\n`,
      );
    } else if (action === "revoke") {
      const revoked = await manage.revokeWriteKey(deps, id ?? "");
      out(revoked, `${keyLine(revoked, Date.now())}\n`);
    } else {
      const rotated = await manage.rotateWriteKey(deps, id ?? "", graceMs);
      out(
        rotated,
        `${printKey(rotated.issued.key, rotated.issued.record)}${keyLine(rotated.previous, Date.now())}\n`,
      );
    }
    return 0;
  } finally {
    await table.close();
  }
}
