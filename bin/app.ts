import { buildApp } from "../infra/app.js";

// The CDK app the CLI runs (`cdk synth`, `cdk deploy`), as `cdk.json` says; `infra/app.ts` builds it.
buildApp().app.synth();
