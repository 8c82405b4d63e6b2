import { CfnOutput, Stack } from "aws-cdk-lib";
import { HttpUserPoolAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import type { ConsoleConfig } from "#shared/console/config.js";
import { CONSOLE_OUTPUTS } from "../console-output-names.js";
import { consolePageSource } from "./console-page-source.js";
import type { ConsoleSettings } from "./console-settings.js";
import { ConsoleSite } from "./console-site.js";
import { CONSOLE_SCOPES, ConsoleUserPool } from "./console-user-pool.js";
import type { PublicApi } from "./http-api.js";

/** Props of {@link TailorConsole}. */
export interface TailorConsoleProps {
  readonly settings: ConsoleSettings;
  /** The HTTP API: its admin routes are opened behind the console's authorizer. */
  readonly api: PublicApi;
}

/**
 * The console on AWS (`-c console=on`): the page as a static site behind CloudFront ({@link ConsoleSite}), its
 * operators in a Cognito user pool ({@link ConsoleUserPool}), the admin API routed on the distribution's origin
 * and opened on the HTTP API behind a JWT authorizer of that pool, and the page's `config.json` with the
 * pool's OpenID Connect settings. Outputs the console's URL, the user pool and the sign-in domain.
 */
export class TailorConsole extends Construct {
  readonly site: ConsoleSite;
  readonly operators: ConsoleUserPool;
  readonly authorizer: HttpUserPoolAuthorizer;

  constructor(scope: Construct, id: string, props: TailorConsoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const signInDomainUrl = `https://${props.settings.domainPrefix}.auth.${stack.region}.amazoncognito.com`;
    this.site = new ConsoleSite(this, "Site", {
      apiEndpoint: props.api.url,
      // The OpenID configuration and keys (the issuer's), and the token endpoint (the hosted domain's).
      signInOrigins: [`https://cognito-idp.${stack.region}.amazonaws.com`, signInDomainUrl],
    });
    this.operators = new ConsoleUserPool(this, "Operators", {
      settings: props.settings,
      consoleUrl: this.site.url,
    });
    // The page sends the ID token: it carries the operator's email (for the audit) and groups.
    this.authorizer = new HttpUserPoolAuthorizer("ConsoleOperators", this.operators.userPool, {
      userPoolClients: [this.operators.client],
    });
    props.api.addAdminRoutes(this.authorizer);

    const config: ConsoleConfig = {
      apiUrl: "",
      auth: {
        kind: "oidc",
        authority: this.operators.issuer,
        clientId: this.operators.client.userPoolClientId,
        redirectUri: this.site.url,
        scope: CONSOLE_SCOPES.map((scope) => scope.scopeName).join(" "),
        logoutUri: `${signInDomainUrl}/logout`,
      },
    };
    this.site.deploy(consolePageSource(), Source.jsonData("config.json", config));

    const output = (key: keyof typeof CONSOLE_OUTPUTS, value: string, description: string) =>
      new CfnOutput(stack, CONSOLE_OUTPUTS[key], { value, description });
    output("url", this.site.url, "The console: sign in with an operator of the user pool (docs/console.md)");
    output(
      "userPoolId",
      this.operators.userPool.userPoolId,
      "The console's operators: aws cognito-idp admin-create-user --user-pool-id <this> (docs/console.md)",
    );
    output("clientId", this.operators.client.userPoolClientId, "The console page's app client");
    output("signInDomain", signInDomainUrl, "The console's hosted sign-in");
  }
}
