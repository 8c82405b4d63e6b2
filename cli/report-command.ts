import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { readCampaignTotals } from "#shared/app/experiments/campaign-totals.js";
import { DynamoExperimentCounters } from "#shared/aws/dynamo-experiment-counters.js";
import { reportModel } from "#shared/domain/experiments/report-model.js";
import { writeReport } from "#shared/render/report/index.js";
import { loadCampaignLibrary } from "#shared/templates/campaign-files.js";
import { stringFlag } from "./cli-options.js";
import { missingTables, readLibrary } from "./segments-command.js";
import { openDynamo } from "./stack-access.js";

/**
 * `tailor report [--campaign X] [--out .tailor/report.html] [--mde 0.1] [--currency USD]`: the experiment report of
 * every campaign with counters (or one), as one self-contained HTML page; prints its path.
 */
export async function reportCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      campaign: { type: "string" },
      out: { type: "string" },
      mde: { type: "string" },
      currency: { type: "string" },
      "campaigns-dir": { type: "string" },
      "segments-dir": { type: "string" },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) {
    throw new LocalStackError(
      "usage: tailor report [--campaign id] [--out file.html] [--mde 0.1] [--currency USD]",
    );
  }
  const mde = Number(stringFlag(values.mde) ?? "0.1");
  if (!(mde > 0 && mde < 10))
    throw new LocalStackError(`--mde: a relative lift above 0, e.g. 0.1 (got ${values.mde})`);
  const library = loadCampaignLibrary(stringFlag(values["campaigns-dir"]) ?? "templates/campaigns", {
    templates: "templates/emails",
    segments: readLibrary(stringFlag(values["segments-dir"])),
  });
  const wanted = stringFlag(values.campaign);
  const campaigns = library.campaigns.filter((campaign) => wanted === undefined || campaign.id === wanted);
  if (wanted !== undefined && campaigns.length === 0) throw new LocalStackError(`no campaign ${wanted}`);
  const dataDir = stringFlag(values["data-dir"]);
  const access = await openDynamo(dataDir);
  try {
    const counters = new DynamoExperimentCounters({
      client: access.client,
      tableName: LOCAL_NAMES.segmentsTable,
    });
    const totals = await readCampaignTotals(counters, campaigns, stringFlag(values.currency) ?? "USD").catch(
      missingTables("segments table", dataDir),
    );
    const model = reportModel(totals, { confidence: 0.95, minimumDetectableEffect: mde });
    const out = resolve(stringFlag(values.out) ?? ".tailor/report.html");
    await writeReport(model, out);
    process.stdout.write(
      `${totals.length} campaign${totals.length === 1 ? "" : "s"} with sends: report written to ${out}\n`,
    );
    return 0;
  } finally {
    await access.close();
  }
}
