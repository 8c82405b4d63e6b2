import { createReadStream, existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { type CatalogImportReport, importCatalog } from "#shared/app/catalog/import-catalog.js";
import {
  FEED_FORMATS,
  type FeedFormat,
  feedFormatOf,
  feedProducts,
} from "#shared/app/catalog-feed/read-feed.js";
import { DynamoCatalog } from "#shared/aws/dynamo-catalog.js";
import { SqsCatalogChangePublisher } from "#shared/aws/sqs-catalog-change-publisher.js";
import { systemClock } from "#shared/ports.js";
import { nothingFound } from "./cli-errors.js";
import { stringFlag } from "./cli-options.js";
import { count } from "./format.js";
import { openLocalQueue } from "./local-queue.js";
import { explainMissing, openDynamo } from "./stack-access.js";

const USAGE =
  "usage: tailor catalog import <file> [--format csv|json|gmc-xml|gmc-tsv] [--dry-run]\n" +
  "                              [--market de-DE --currency EUR] [--max-retire-share 0.5] [--data-dir D]\n" +
  "       tailor catalog show <productId> [--data-dir D]";

/** `tailor catalog import|show`: the local stack's catalog (docs/catalog.md). */
export async function catalogCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      format: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      market: { type: "string" },
      currency: { type: "string" },
      "max-retire-share": { type: "string" },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, subject, ...extra] = positionals;
  if (subject === undefined || extra.length > 0) throw new LocalStackError(USAGE);
  const dataDir = stringFlag(values["data-dir"]);
  if (action === "show") return show(subject, dataDir);
  if (action !== "import") throw new LocalStackError(USAGE);
  if (!existsSync(subject)) throw new LocalStackError(`no such file: ${subject} — check the path`);
  const format = formatOf(subject, stringFlag(values.format));
  const currency = stringFlag(values.currency)?.toUpperCase();
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) {
    throw new LocalStackError(
      `--currency must be a 3-letter ISO 4217 code, e.g. --currency EUR, got ${currency}`,
    );
  }
  const market = stringFlag(values.market);
  const shareFlag = stringFlag(values["max-retire-share"]);
  const maxRetireShare = shareFlag === undefined ? undefined : Number(shareFlag);
  if (maxRetireShare !== undefined && !(maxRetireShare >= 0 && maxRetireShare <= 1)) {
    throw new LocalStackError(`--max-retire-share must be from 0 to 1, e.g. 0.8, got ${shareFlag}`);
  }
  const dryRun = values["dry-run"];
  const input = subject.toLowerCase().endsWith(".gz")
    ? createReadStream(subject).pipe(createGunzip())
    : createReadStream(subject);
  const rows = feedProducts(input, format, {
    ...(currency === undefined ? {} : { currency }),
    ...(market === undefined ? {} : { market }),
  });
  const dynamo = await openDynamo(dataDir);
  const queue = dryRun
    ? undefined
    : await openLocalQueue(dataDir, LOCAL_NAMES.catalogChangesQueue, "catalog changes queue");
  let report: CatalogImportReport;
  try {
    const store = new DynamoCatalog({ client: dynamo.client, tableName: LOCAL_NAMES.catalogTable });
    report = await importCatalog(
      {
        store,
        clock: systemClock,
        ...(queue === undefined
          ? {}
          : { changes: new SqsCatalogChangePublisher({ client: queue.client, queueUrl: queue.queueUrl }) }),
      },
      rows,
      {
        dryRun,
        ...(market === undefined ? {} : { market }),
        ...(maxRetireShare === undefined ? {} : { maxRetireShare }),
      },
    ).catch((error: unknown) => explainMissing(error, "catalog table", dataDir));
  } finally {
    await queue?.close();
    await dynamo.close();
  }
  process.stdout.write(`${reportLines(subject, report, dryRun).join("\n")}\n`);
  if (report.read === 0 || report.errors === report.read) {
    return nothingFound(
      "catalog import",
      `no product read from ${subject}`,
      "see the row errors above and docs/catalog.md",
    );
  }
  return report.errors > 0 ? 2 : 0;
}

function formatOf(file: string, flag: string | undefined): FeedFormat {
  if (flag !== undefined) {
    const known = FEED_FORMATS.find((format) => format === flag);
    if (known === undefined)
      throw new LocalStackError(`--format must be one of ${FEED_FORMATS.join(", ")}, got ${flag}`);
    return known;
  }
  const guessed = feedFormatOf(file);
  if (guessed === undefined) {
    throw new LocalStackError(
      `cannot tell the format of ${file} from its name: give --format ${FEED_FORMATS.join("|")}`,
    );
  }
  return guessed;
}

/** The import's report, a line per count, then the row errors kept. */
export function reportLines(file: string, report: CatalogImportReport, dryRun: boolean): string[] {
  const lines = [
    `${dryRun ? "dry run (nothing written): " : ""}${file}: ${count(report.read)} rows read`,
    `  new ${count(report.new)}, changed ${count(report.changed)}, unchanged ${count(report.unchanged)}, retired ${count(report.retired)}, errors ${count(report.errors)}`,
    `  ${count(report.changes)} changes (price drops, back in stock)${dryRun ? " found" : " published"}; ${count(report.writeUnits)} write units; ${count(report.trimmed)} products trimmed to the limits`,
  ];
  if (report.retirementSkipped !== undefined) lines.push(`  retirement skipped: ${report.retirementSkipped}`);
  for (const error of report.errorSamples) {
    const id = error.productId === undefined ? "" : ` (${error.productId})`;
    lines.push(`  line ${error.line}${id}: ${error.field}: ${error.rule}`);
  }
  if (report.errors > report.errorSamples.length) {
    lines.push(`  … and ${count(report.errors - report.errorSamples.length)} more row errors`);
  }
  return lines;
}

async function show(productId: string, dataDir: string | undefined): Promise<number> {
  const dynamo = await openDynamo(dataDir);
  try {
    const store = new DynamoCatalog({ client: dynamo.client, tableName: LOCAL_NAMES.catalogTable });
    const found = await store
      .getStored([productId])
      .catch((error: unknown) => explainMissing(error, "catalog table", dataDir));
    const stored = found.get(productId);
    if (stored === undefined) {
      return nothingFound(
        "catalog show",
        `no product ${productId} in the catalog`,
        "import a feed: tailor catalog import <file>",
      );
    }
    process.stdout.write(`${JSON.stringify({ ...stored.product, retired: stored.retired }, null, 2)}\n`);
    return 0;
  } finally {
    await dynamo.close();
  }
}
