import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { eraseCustomer } from "../../../shared/app/privacy/erase-customer.js";
import type { PrivacyDeps } from "../../../shared/app/privacy/privacy-ports.js";
import { DynamoAuditLog } from "../../../shared/aws/dynamo-audit-log.js";
import { privacyAdapters } from "../../../shared/aws/privacy-erasure.js";
import { systemClock } from "../../../shared/ports.js";
import { LOCAL_NAMES } from "../../local-names.js";
import { LocalStackError } from "../local-errors.js";
import { stringFlag } from "./cli-options.js";
import { explainMissing, openDynamo, openS3 } from "./stack-access.js";

/** Who runs the CLI, for audit entries: `cli:<user>`. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli:unknown";
  }
}

/**
 * Runs `use` with erasure and export wired to the stack of the data dir (the running one, or the data dir opened
 * directly), and lets go of the clients after.
 */
export async function withPrivacyDeps<T>(
  dataDir: string | undefined,
  use: (deps: PrivacyDeps) => Promise<T>,
): Promise<T> {
  const dynamo = await openDynamo(dataDir);
  try {
    const s3 = await openS3(dataDir);
    try {
      const deps = privacyAdapters({
        dynamodb: dynamo.client,
        s3: s3.client,
        resources: {
          profilesTable: LOCAL_NAMES.profileTable,
          sendLedgerTable: LOCAL_NAMES.sendLedgerTable,
          timersTable: LOCAL_NAMES.timersTable,
          quarantineBucket: LOCAL_NAMES.quarantineBucket,
        },
        audit: new DynamoAuditLog({ client: dynamo.client, tableName: LOCAL_NAMES.auditTable }),
        clock: systemClock,
      });
      return await use(deps).catch((error: unknown) =>
        explainMissing(error instanceof Error && "cause" in error ? error.cause : error, "tables", dataDir),
      );
    } finally {
      await s3.close();
    }
  } finally {
    await dynamo.close();
  }
}

/** `tailor erase <customerId> [--json]`: erases the customer and prints the receipt. */
export async function eraseCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { json: { type: "boolean", default: false }, "data-dir": { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const [customerId, ...extra] = positionals;
  if (customerId === undefined || customerId === "" || extra.length > 0) {
    throw new LocalStackError("usage: tailor erase <customerId> [--json] [--data-dir D]");
  }
  const receipt = await withPrivacyDeps(stringFlag(values["data-dir"]), (deps) =>
    eraseCustomer(deps, customerId, cliActor()),
  );
  if (values.json) {
    process.stdout.write(`${JSON.stringify(receipt, null, 2)}\n`);
    return 0;
  }
  const { deleted } = receipt;
  process.stdout.write(
    `${[
      `erased ${customerId} (sha256 ${receipt.customerHash}), first erased at ${receipt.erasedAt}`,
      `  deleted: ${deleted.profiles} profile, ${deleted.ledger} send-ledger items, ${deleted.timers} timers, ` +
        `${deleted.quarantine} quarantined records`,
      "  tombstone kept: late events for this customer are dropped and counted",
      "  cached recommendations expire on their own (per container, short TTL)",
    ].join("\n")}\n`,
  );
  return 0;
}
