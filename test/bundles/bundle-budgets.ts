/**
 * The most each function's bundle (`index.mjs`, minified as deployed, without its source map) may weigh, in
 * bytes: about 1.5× its size when set (issue 18). A budget is a tripwire, not a target: raise one only when the
 * growth is what the function runs (and say why in the commit); never for a build-time module (MJML, TypeScript,
 * the simulator) reached by mistake. `npm run bench:bundles` gives the current sizes.
 */
export const BUNDLE_BUDGETS: Readonly<Record<string, number>> = {
  // Measured 2026-12-06 (esbuild 0.28.2): 1,109,544 B.
  api: 1_650_000,
  // 498,196 B (zod is 454 kB of it).
  archive: 750_000,
  // Not measured yet: the budget of campaign-schedule, which it replaces (1,033,865 B), reads the same library.
  "campaign-fanout": 1_550_000,
  // 1,079,944 B (S3, DynamoDB and SQS clients, csv-parse, sax).
  "catalog-import": 1_650_000,
  // 1,024,764 B (S3 and DynamoDB clients, csv-parse; zod is 455 kB of it).
  "content-import": 1_550_000,
  // 1,018,933 B.
  "campaign-transitions": 1_550_000,
  // About 1,050,000 B (campaign-transitions' 1.03×, the Powertools batch and profile reads added).
  "catalog-changes": 1_600_000,
  // 1,272,930 B (8.7 MB before the template compiler left it); 1,281,913 B with the catalog table's cache.
  dispatch: 1_900_000,
  // 1,408,026 B.
  ingest: 2_100_000,
  // 1,159,507 B (S3 client, the decoder ingest uses, the tree trainer).
  "model-training": 1_750_000,
  // 1,076,054 B.
  rescore: 1_600_000,
  // Rescore's budget: the same adapters and use cases, without the scorer (within it, bundle-budgets.test.ts).
  "segment-jobs": 1_600_000,
  // 1,043,266 B.
  "segment-timers": 1_550_000,
  // 880,652 B.
  "ses-feedback": 1_300_000,
  // Not measured yet: ses-feedback's budget (the same Kinesis writer; a DynamoDB GetItem instead of the ledger).
  "sms-feedback": 1_300_000,
};
