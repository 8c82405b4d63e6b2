import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { exportCustomer } from "../../../shared/app/privacy/export-customer.js";
import { LocalStackError } from "../local-errors.js";
import { stringFlag } from "./cli-options.js";
import { cliActor, withPrivacyDeps } from "./erase-command.js";

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
  const document = await withPrivacyDeps(stringFlag(values["data-dir"]), (deps) =>
    exportCustomer(deps, customerId, cliActor()),
  );
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
