import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import type { ContentImportReport } from "#shared/app/content/import-content.js";
import { stringFlag } from "./cli-options.js";

const USAGE = `usage: tailor content import <file.json|file.jsonl|file.csv> [--format json|jsonl|csv] [--json]
       [--data-dir D]  (the local stack), or [--table <name> --region <r>] (AWS, default credentials)
       tailor content list [--json] [same target options]`;

/** Most bad rows printed one by one; the rest are counted. */
const ERRORS_SHOWN = 20;

/** The report of an import as text: counts, then each bad row with its line, id and problems. */
export function importReportText(file: string, report: ContentImportReport): string {
  const lines = [
    `${file}: ${report.rows} rows, ${report.written} written, ${report.unchanged} unchanged, ` +
      `${report.retired.length} retired, ${report.errors.length} refused`,
  ];
  if (report.retired.length > 0) lines.push(`retired (left the file): ${report.retired.join(", ")}`);
  for (const error of report.errors.slice(0, ERRORS_SHOWN)) {
    const where = error.line === 0 ? "file" : `line ${error.line}`;
    lines.push(`  ${where}${error.id === undefined ? "" : ` (${error.id})`}: ${error.problems.join("; ")}`);
  }
  if (report.errors.length > ERRORS_SHOWN) lines.push(`  … and ${report.errors.length - ERRORS_SHOWN} more`);
  return `${lines.join("\n")}\n`;
}

async function openContentTable(values: Readonly<Record<string, unknown>>): Promise<{
  readonly client: DynamoDBClient;
  readonly tableName: string;
  close(): Promise<void>;
}> {
  const tableName = stringFlag(values.table);
  const region = stringFlag(values.region);
  if (tableName === undefined) {
    if (region !== undefined) throw new LocalStackError("--region goes with --table (a table on AWS)");
    const { openDynamo } = await import("./stack-access.js");
    const local = await openDynamo(stringFlag(values["data-dir"]));
    return { client: local.client, tableName: LOCAL_NAMES.contentTable, close: () => local.close() };
  }
  // AWS: the default credential chain; the table is the stack's ContentTable output.
  const sdk = await import("@aws-sdk/client-dynamodb");
  const remote = new sdk.DynamoDBClient(region === undefined ? {} : { region });
  return { client: remote, tableName, close: async () => remote.destroy() };
}

function formatOf(value: unknown, file: string) {
  const given = stringFlag(value);
  if (given === undefined) return undefined;
  if (given === "json" || given === "jsonl" || given === "csv") return given;
  throw new LocalStackError(`--format: expected json, jsonl or csv, got "${given}" (for ${file})`);
}

/**
 * `tailor content import <file>`: loads the content library (articles, tips, guides with interest tags) from a
 * JSON array, JSON Lines or CSV file (docs/content.md): checked rows written, items that left the file retired,
 * bad rows listed with their line, id and problems (exit code 1 when any row was refused). `tailor content list`
 * prints the live library. Against the local stack's data dir, or with `--table --region` the table on AWS.
 */
export async function contentCommand(argv: readonly string[]): Promise<number> {
  const text = { type: "string" } as const;
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      format: text,
      table: text,
      region: text,
      "data-dir": text,
      json: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, file, ...extra] = positionals;
  const importing = action === "import" && file !== undefined;
  if (extra.length > 0 || !(importing || (action === "list" && file === undefined))) {
    throw new LocalStackError(USAGE);
  }
  const [{ DynamoContentLibrary }, { importContent }, { contentFormatOf }] = await Promise.all([
    import("#shared/aws/dynamo-content-library.js"),
    import("#shared/app/content/import-content.js"),
    import("#shared/app/content/content-file.js"),
  ]);
  const body = importing ? await readFile(file, "utf8") : "";
  const table = await openContentTable(values);
  try {
    const store = new DynamoContentLibrary({ client: table.client, tableName: table.tableName });
    if (!importing) {
      const items = await store.all();
      process.stdout.write(
        values.json
          ? `${JSON.stringify(items, null, 2)}\n`
          : `${items.map((item) => `${item.id}  ${item.kind.padEnd(7)} ${(item.locale ?? "-").padEnd(5)} [${item.tags.join(", ")}] ${item.title}`).join("\n")}\n${items.length} items\n`,
      );
      return 0;
    }
    const format = formatOf(values.format, file) ?? contentFormatOf(file);
    const report = await importContent(store, { text: body, format }, Date.now());
    process.stdout.write(
      values.json ? `${JSON.stringify(report, null, 2)}\n` : importReportText(file, report),
    );
    return report.errors.length > 0 ? 1 : 0;
  } finally {
    await table.close();
  }
}
