/**
 * `npm run bench`: every benchmark, each against a naive baseline measured in the same run, printed as ratios.
 * Sections run one after another so they do not compete for the CPU.
 */
import { cliStartupBench } from "./cli-startup.js";
import { dispatchBench } from "./dispatch.bench.js";
import { httpApiBench } from "./http-api.bench.js";
import { identityBench } from "./identity.bench.js";
import { importBench } from "./import.bench.js";
import { ingestBench } from "./ingest.bench.js";
import { kplDecodeBench } from "./kpl-decode.bench.js";
import { recommendationsBench } from "./recommendations.bench.js";
import { renderBench } from "./render.bench.js";
import { rescoreBench } from "./rescore.bench.js";
import { segmentBench } from "./segments.bench.js";

const sections: readonly { readonly name: string; readonly run: () => Promise<string[]> }[] = [
  { name: "ingest", run: ingestBench },
  { name: "identity", run: identityBench },
  { name: "import", run: () => importBench(10_000) },
  { name: "http api", run: httpApiBench },
  { name: "de-aggregation", run: kplDecodeBench },
  { name: "segments", run: () => segmentBench() },
  { name: "rendering", run: () => renderBench() },
  { name: "recommendations", run: () => recommendationsBench() },
  { name: "dispatch", run: dispatchBench },
  { name: "rescoring", run: rescoreBench },
  { name: "cli startup", run: cliStartupBench },
];

for (const section of sections) {
  process.stderr.write(`\n== ${section.name} ==\n`);
  process.stdout.write(`${(await section.run()).join("\n")}\n`);
}
