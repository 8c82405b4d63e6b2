import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { LocalStackError } from "#infra/local/local-errors.js";
import { customerEmails } from "#shared/app/privacy/customer-emails.js";
import { customerIdsOf } from "#shared/app/privacy/customer-ids.js";
import { exportCustomer } from "#shared/app/privacy/export-customer.js";
import type { PrivacyDeps } from "#shared/app/privacy/privacy-ports.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import { nothingFound } from "./cli-errors.js";
import { stringFlag } from "./cli-options.js";

/**
 * Whether Tailor holds anything for the id: a profile or tombstone, a ledger item, a timer, a quarantined record or
 * an audit entry (as `eraseCustomer` asks, plus the audit log, which the export shows too).
 */
async function holdsAnything(deps: PrivacyDeps, id: string): Promise<boolean> {
  const { customerId, stored } = await customerIdsOf(deps, id);
  const tombstone = await deps.profiles.tombstone(customerId);
  if (stored !== undefined || tombstone !== undefined) return true;
  const found = await Promise.all([
    deps.ledger.list(customerId),
    deps.timers.list(customerId),
    deps.quarantine.list(customerId, customerEmails(stored)),
    deps.audit.forCustomer(customerHash(customerId), 1),
  ]);
  return found.some((items) => items.length > 0);
}

/** `tailor export <customerId> [--out file]`: everything held about the customer as one JSON document. */
export async function exportCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { out: { type: "string" }, "data-dir": { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const [customerId, ...extra] = positionals;
  if (customerId === undefined || customerId === "" || extra.length > 0) {
    throw new LocalStackError("usage: tailor export <customerId> [--out file] [--data-dir D]");
  }
  // Loaded once the arguments are checked: a usage error does not wait for the AWS SDK.
  const { cliActor, withPrivacyDeps } = await import("./erase-command.js");
  // An unknown id (a typo?) gets no document, and no audit entry of an export.
  const document = await withPrivacyDeps(stringFlag(values["data-dir"]), async (deps) =>
    (await holdsAnything(deps, customerId)) ? exportCustomer(deps, customerId, cliActor()) : undefined,
  );
  if (document === undefined) {
    return nothingFound("export", `Tailor holds nothing for ${customerId}: nothing exported`, "check the id");
  }
  const json = `${JSON.stringify(document, null, 2)}\n`;
  const out = stringFlag(values.out);
  if (out === undefined) {
    process.stdout.write(json);
  } else {
    writeFileSync(out, json, { mode: 0o600 });
    process.stderr.write(`export of ${customerId} written to ${out}\n`);
  }
  return 0;
}
