import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectModelRegistry } from "#shared/app/training/object-model-registry.js";
import { RECOMMENDER_MODEL, trainRecommenderCandidate } from "#shared/app/training/recommender-steps.js";
import type { RecommenderHoldoutTable } from "#shared/app/training/recommender-tables.js";
import { buildFeatures, type TrainingStepDeps } from "#shared/app/training/training-steps.js";
import { DAY_MS } from "#shared/domain/profile/index.js";
import { invokeModel, parseModelTarball } from "#shared/model-server/index.js";
import { unpackModelTarball } from "#shared/model-tarball.js";
import { archivedSimRecord, memoryArchive, simulatedHistory } from "#shared/sim/index.js";
import { MemoryTrainingObjects } from "#test/support/memory-training.js";

/**
 * The recommender's `code/inference.py` (what SageMaker's framework container runs in script mode) against the
 * TypeScript model server, on an artifact the TypeScript trainer produced: the same requests (the hold-out
 * customers' seeds and affinity as the stack's client sends them, the older fields, bad requests), the same
 * answers. Runs the script's own functions (model_fn, input_fn, predict_fn, output_fn) with the machine's python3.
 */
const python = spawnSync("python3", ["--version"]).status === 0 ? "python3" : undefined;

const DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1] + "/code")
import inference
model = inference.model_fn(sys.argv[1])
for line in sys.stdin:
    try:
        query = inference.input_fn(line, "application/json")
        body, content_type = inference.output_fn(inference.predict_fn(query, model), "application/json")
        print(json.dumps({"status": 200, "type": content_type, "body": json.loads(body)}))
    except inference.InvalidRequest as error:
        print(json.dumps({"status": error.status_code, "message": error.message}))
`;

interface Answer {
  readonly status: number;
  readonly body?: { recommendations: { product_id: string; score: number }[] };
  readonly message?: string;
}

describe.skipIf(python === undefined)(
  "the recommender's inference.py answers as the model server does",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "tailor-inference-py-"));
    let artifact: Uint8Array;
    let requests: unknown[];
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    beforeAll(async () => {
      const days = 90;
      const sim = simulatedHistory({ seed: 11, customers: 200, days });
      const iso = (day: number) => new Date(sim.start + day * DAY_MS).toISOString();
      const objects = new MemoryTrainingObjects();
      const deps: TrainingStepDeps = {
        archive: memoryArchive([...sim.history].map((record, i) => archivedSimRecord(record, i + 1))),
        objects,
        registry: new ObjectModelRegistry(objects),
        clock: { now: () => sim.start + days * DAY_MS },
      };
      const built = await buildFeatures(deps, {
        from: iso(0),
        to: iso(days),
        cutoff: iso(30),
        holdoutCutoff: iso(60),
      });
      const candidate = await trainRecommenderCandidate(deps, { trainKey: built.trainKey });
      artifact = (await deps.registry.getArtifact(RECOMMENDER_MODEL, candidate.version)) ?? new Uint8Array();
      // Unpacked as SageMaker unpacks model.tar.gz into /opt/ml/model.
      for (const [name, body] of unpackModelTarball(artifact)) {
        mkdirSync(join(dir, name, ".."), { recursive: true });
        writeFileSync(join(dir, name), body);
      }
      const holdout: RecommenderHoldoutTable = JSON.parse(
        new TextDecoder().decode(await objects.get(`${built.holdoutKey}recommendations.json`)),
      );
      requests = [
        ...holdout.customers.map((customer, i) => ({
          customer_id: `c${i}`,
          k: 1 + (i % 12),
          seeds: customer.seeds.map((s) => ({ product_id: s.productId, kind: s.kind, weight: s.weight })),
          category_affinity: customer.affinity,
        })),
        {
          k: 5,
          recently_viewed: holdout.customers[0]?.seeds.map((s) => s.productId) ?? [],
          categories: ["x"],
        },
        { k: 4 },
        { k: 0, seeds: [] },
        { k: 3, seeds: [{ product_id: "p", kind: "liked", weight: 1 }] },
        { k: 3, seeds: [{ product_id: "p", kind: "view", weight: -1 }] },
        { k: 3, seeds: [], category_affinity: [{ category: "c" }] },
        [1, 2],
      ];
    }, 120_000);

    it("gives the same products in the same order with the same scores, and refuses what the server refuses", () => {
      const stdin = requests.map((request) => JSON.stringify(request)).join("\n");
      const out = execFileSync(python ?? "python3", ["-c", DRIVER, dir], { input: stdin, encoding: "utf8" });
      const answers: Answer[] = out
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(answers).toHaveLength(requests.length);
      const model = parseModelTarball(artifact, "recommendations");
      let compared = 0;
      requests.forEach((request, i) => {
        const body = JSON.stringify(request);
        const answer = answers[i];
        let expected: Answer;
        try {
          const result = invokeModel(model, {
            contentType: "application/json",
            accept: "application/json",
            body,
          });
          expected = { status: 200, body: JSON.parse(result.body) };
        } catch {
          expected = { status: 400 };
        }
        expect(answer?.status, body).toBe(expected.status);
        if (expected.body === undefined) return;
        const ours = answer?.body?.recommendations ?? [];
        expect(
          ours.map((r) => r.product_id),
          body,
        ).toEqual(expected.body.recommendations.map((r) => r.product_id));
        expected.body.recommendations.forEach((r, j) => {
          expect(ours[j]?.score, body).toBeCloseTo(r.score, 9);
        });
        compared++;
      });
      expect(compared).toBeGreaterThan(100);
    });

    it("answers JSON only, with the container's status codes", () => {
      const script = `
import sys
sys.path.insert(0, sys.argv[1] + "/code")
import inference
for call in (lambda: inference.input_fn("1,2", "text/csv"), lambda: inference.output_fn([], "text/csv"), lambda: inference.input_fn(b"{", "application/json")):
    try:
        call()
        print("ok")
    except inference.InvalidRequest as error:
        print(error.status_code)
`;
      const out = execFileSync(python ?? "python3", ["-c", script, dir], { encoding: "utf8" });
      expect(out.trim().split("\n")).toEqual(["415", "406", "400"]);
    });
  },
);
