import { CfnOutput, type Stack } from "aws-cdk-lib";
import { DOCTOR_OUTPUTS, RECOMMENDER_MODEL } from "../stack-output-names.js";

/** What {@link addDoctorOutputs} publishes. */
export interface DoctorOutputsProps {
  readonly sendingIdentity: string;
  readonly configurationSetName: string;
  readonly sendRatePerSecond: number;
  /** Model name → endpoint of the scoring models. */
  readonly modelEndpoints: Readonly<Record<string, string>>;
  /** The recommender's endpoint; `undefined`: best sellers only, nothing to check. */
  readonly recommenderEndpoint: string | undefined;
  readonly alarmTopicArn: string;
  readonly eventStreamName: string;
}

/**
 * The stack outputs `tailor doctor` reads to know what to check (`cdk deploy --outputs-file cdk-outputs.json`
 * writes them), named by {@link DOCTOR_OUTPUTS}.
 */
export function addDoctorOutputs(stack: Stack, props: DoctorOutputsProps): void {
  const endpoints = {
    ...props.modelEndpoints,
    ...(props.recommenderEndpoint === undefined ? {} : { [RECOMMENDER_MODEL]: props.recommenderEndpoint }),
  };
  const output = (key: keyof typeof DOCTOR_OUTPUTS, value: string, description: string) =>
    new CfnOutput(stack, DOCTOR_OUTPUTS[key], { value, description });
  output("sendingIdentity", props.sendingIdentity, "The SES identity the sender belongs to");
  output("configurationSetName", props.configurationSetName, "The SES configuration set");
  output(
    "sendRatePerSecond",
    String(props.sendRatePerSecond),
    "The send rate dispatch keeps to (emails per second)",
  );
  output("modelEndpoints", JSON.stringify(endpoints), "Model -> SageMaker endpoint (JSON)");
  output("alarmTopicArn", props.alarmTopicArn, "The topic every alarm notifies");
  output("eventStreamName", props.eventStreamName, "The Kinesis event stream");
}
