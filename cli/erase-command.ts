import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { eraseCustomer, isNothingHeld, liftTombstone } from "#shared/app/privacy/erase-customer.js";
import type { PrivacyDeps } from "#shared/app/privacy/privacy-ports.js";
import { DynamoAuditLog } from "#shared/aws/dynamo-audit-log.js";
import { privacyAdapters } from "#shared/lambda/privacy-erasure.js";
import { systemClock } from "#shared/ports.js";
import { nothingFound } from "./cli-errors.js";
import { stringFlag } from "./cli-options.js";
import { readLibrary } from "./segment-library.js";
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
          memberIndex: {
            segmentsTable: LOCAL_NAMES.segmentsTable,
            segmentIds: readLibrary(undefined).definitions.map((d) => d.id),
          },
          watchesTable: LOCAL_NAMES.watchesTable,
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

const ERASE_USAGE = "usage: tailor erase <customerId> [--block | --lift] [--json] [--data-dir D]";

/**
 * `tailor erase <customerId> [--block | --lift] [--json]`: erases the customer and prints the receipt. An id
 * Tailor holds nothing for is left alone (exit 1) unless `--block` confirms that its future events be dropped;
 * `--lift` removes a tombstone so that the id's future events are folded again.
 */
export async function eraseCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      json: { type: "boolean", default: false },
      block: { type: "boolean", default: false },
      lift: { type: "boolean", default: false },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [customerId, ...extra] = positionals;
  if (customerId === undefined || customerId === "" || extra.length > 0 || (values.block && values.lift)) {
    throw new LocalStackError(ERASE_USAGE);
  }
  const dataDir = stringFlag(values["data-dir"]);
  if (values.lift) {
    const lifted = await withPrivacyDeps(dataDir, (deps) => liftTombstone(deps, customerId, cliActor()));
    if (values.json) process.stdout.write(`${JSON.stringify(lifted, null, 2)}\n`);
    else if (lifted.lifted === "none")
      nothingFound("erase", `${customerId} has no tombstone: nothing to lift`);
    else {
      process.stdout.write(
        `lifted the ${lifted.lifted} tombstone of ${customerId}: its future events are folded again, into a new ` +
          "profile (nothing erased comes back)\n",
      );
    }
    return lifted.lifted === "none" ? 1 : 0;
  }
  const outcome = await withPrivacyDeps(dataDir, (deps) =>
    eraseCustomer(deps, customerId, cliActor(), { block: values.block }),
  );
  if (isNothingHeld(outcome)) {
    return nothingFound(
      "erase",
      `Tailor holds nothing for ${customerId} (a typo?): nothing was erased`,
      `to drop its future events anyway, run: tailor erase ${customerId} --block`,
    );
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    return 0;
  }
  const { deleted } = outcome;
  const verb = outcome.tombstone === "blocked" ? "blocked" : "erased";
  process.stdout.write(
    `${[
      `${verb} ${customerId} (sha256 ${outcome.customerHash}), first ${verb} at ${outcome.erasedAt}`,
      `  deleted: ${deleted.profiles} profile, ${deleted.ledger} send-ledger items, ${deleted.timers} timers, ` +
        `${deleted.quarantine} quarantined records` +
        (deleted.watches === undefined ? "" : `, ${deleted.watches} product watches`),
      `  tombstone kept: late events for this customer are dropped and counted (lift it: tailor erase ${customerId} --lift)`,
      "  cached recommendations expire on their own (per container, short TTL)",
    ].join("\n")}\n`,
  );
  return 0;
}
