import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import {
  AccountRecovery,
  CfnUserPoolClient,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";
import { ADMIN_GROUP, VIEWER_GROUP } from "#shared/app/api/admin-access.js";
import type { ConsoleSettings } from "./console-settings.js";

/** The scopes the console asks for: who the operator is (`sub`, `email`); its groups come in every token. */
export const CONSOLE_SCOPES = [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE] as const;

/** Props of {@link ConsoleUserPool}. */
export interface ConsoleUserPoolProps {
  readonly settings: ConsoleSettings;
  /** The console's own URL (`https://<distribution>/`): where the sign-in sends the browser back, and the logout. */
  readonly consoleUrl: string;
}

/**
 * The console's operators: a Cognito user pool nobody signs up to (an administrator invites each operator by
 * email), with a strong password policy, TOTP multi-factor authentication (required unless `consoleMfa=optional`)
 * and the Plus plan's threat protection enforced (compromised credentials, risky sign-ins); the hosted sign-in
 * domain; one app client for the page (public: no secret, authorization code with PKCE, back to the console's
 * URL); and the groups `tailor-admins` (may export and erase) and `tailor-viewers` (read only).
 */
export class ConsoleUserPool extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** The OpenID Connect issuer: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  readonly issuer: string;
  /** The hosted sign-in domain's base URL, no trailing slash. */
  readonly domainUrl: string;

  constructor(scope: Construct, id: string, props: ConsoleUserPoolProps) {
    super(scope, id);
    const userPool = new UserPool(this, "Operators", {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: props.settings.mfa === "required" ? Mfa.REQUIRED : Mfa.OPTIONAL,
      // An authenticator app; no SMS (no SNS spend, no SIM-swap exposure).
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // A few operators: Plus costs cents a month and blocks sign-ins with leaked or risky credentials.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      userInvitation: {
        emailSubject: "Your Tailor console account",
        emailBody:
          "You are invited to the Tailor console. Your user name is {username} and your temporary password is {####}. " +
          "You will choose a new password and set up an authenticator app when you first sign in.",
      },
    });
    this.domain = userPool.addDomain("Domain", {
      cognitoDomain: { domainPrefix: props.settings.domainPrefix },
    });
    this.client = userPool.addClient("Console", {
      generateSecret: false,
      // The hosted sign-in only: no password ever reaches the page.
      authFlows: {},
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [...CONSOLE_SCOPES],
        callbackUrls: [props.consoleUrl],
        logoutUrls: [props.consoleUrl],
      },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // An operator signs in again after a working day.
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });
    // Left unset, Cognito would also allow SRP and custom sign-in through its API: only the refresh token here.
    const cfnClient = this.client.node.defaultChild;
    if (cfnClient instanceof CfnUserPoolClient) cfnClient.explicitAuthFlows = ["ALLOW_REFRESH_TOKEN_AUTH"];
    for (const [groupId, groupName, description] of [
      ["Admins", ADMIN_GROUP, "Tailor console operators who may also export and erase customers"],
      ["Viewers", VIEWER_GROUP, "Tailor console operators who read only"],
    ] as const) {
      new CfnUserPoolGroup(this, groupId, { userPoolId: userPool.userPoolId, groupName, description });
    }
    this.userPool = userPool;
    const region = Stack.of(this).region;
    this.issuer = `https://cognito-idp.${region}.amazonaws.com/${userPool.userPoolId}`;
    this.domainUrl = this.domain.baseUrl();
  }
}
