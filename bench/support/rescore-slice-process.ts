/**
 * One rescoring slice in a process of its own, as each slice is a function of its own on AWS: started by
 * `bench/scale-run.ts` after the local stack is up, it inherits the stack's endpoints and credentials in its
 * environment, builds the rescore slice's own dependencies (`makeRescoreDeps`) from the slice function's
 * environment (`TAILOR_SLICE_ENV`, JSON), rescores the slice given in `TAILOR_SLICE` (JSON: segment,
 * totalSegments, models, writeConcurrency, and `limitMs`, after which it stops reading as Lambda would cut it)
 * and prints its summary as one JSON line, with whether it was cut.
 */

import { z } from "zod";
import { rescoreEnvSchema } from "#functions/rescore/env.js";
import { makeRescoreDeps } from "#functions/rescore/make-deps.js";
import { rescoreSlice } from "#shared/app/rescoring/index.js";
import { cutScan } from "./cut-scan.js";

const input = z
  .object({
    segment: z.number().int().nonnegative(),
    totalSegments: z.number().int().min(1),
    models: z.array(z.string()).min(1),
    writeConcurrency: z.number().int().min(1),
    limitMs: z.number().positive(),
  })
  .parse(JSON.parse(process.env.TAILOR_SLICE ?? "{}"));
const deps = makeRescoreDeps(rescoreEnvSchema.parse(JSON.parse(process.env.TAILOR_SLICE_ENV ?? "{}")));
const deadline = performance.now() + input.limitMs;
const limited = cutScan(deps.scan, () => deadline);
const started = performance.now();
const summary = await rescoreSlice(
  { ...deps, scan: limited.scan },
  { segment: input.segment, totalSegments: input.totalSegments },
  { models: input.models, writeConcurrency: input.writeConcurrency },
);
process.stdout.write(
  `${JSON.stringify({ cut: limited.cut(), seconds: (performance.now() - started) / 1000, scored: summary.scored, transitions: summary.transitions })}\n`,
);
