/**
 * The names of the console's stack outputs (`cdk deploy -c console=on --outputs-file`), apart from the CDK code
 * so that `tailor doctor` reads them without loading aws-cdk-lib.
 */
export const CONSOLE_OUTPUTS = {
  /** The console's URL, `https://<distribution>/`. */
  url: "ConsoleUrl",
  /** The operators' user pool. */
  userPoolId: "ConsoleUserPoolId",
  /** The page's app client. */
  clientId: "ConsoleClientId",
  /** The hosted sign-in's base URL. */
  signInDomain: "ConsoleSignInDomain",
} as const;
