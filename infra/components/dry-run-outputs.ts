import { CfnOutput } from "aws-cdk-lib";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import { DRY_RUN_OUTPUTS } from "../stack-output-names.js";

/**
 * The outputs `tailor campaign dry-run --outputs` reads: the names of the dispatch and fan-out part functions,
 * whose configuration (`GetFunctionConfiguration`) names the deployed tables, secret and settings a dry run reads.
 */
export function dryRunOutputs(
  scope: Construct,
  functions: { readonly dispatch: IFunction; readonly fanOutPart: IFunction },
): void {
  new CfnOutput(scope, DRY_RUN_OUTPUTS.dispatchFunction, {
    description: "The dispatch function (tailor campaign dry-run --outputs reads its configuration)",
    value: functions.dispatch.functionName,
  });
  new CfnOutput(scope, DRY_RUN_OUTPUTS.fanOutPartFunction, {
    description: "The fan-out's part function (tailor campaign dry-run --outputs reads its configuration)",
    value: functions.fanOutPart.functionName,
  });
}
