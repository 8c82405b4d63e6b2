import { buildApp } from "../infra/app.js";
import { InfraConfigError } from "../infra/components/infra-config-error.js";

// The CDK app the CLI runs (`cdk synth`, `cdk deploy`), as `cdk.json` says; `infra/app.ts` builds it. A setting
// missing, unknown or invalid is the user's to fix: its message alone, without a stack trace.
try {
  buildApp().app.synth();
} catch (error) {
  if (!(error instanceof InfraConfigError)) throw error;
  console.error(`${error.name}: ${error.message}`);
  process.exitCode = 1;
}
