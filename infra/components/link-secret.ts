import { RemovalPolicy, Validations } from "aws-cdk-lib";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { tagLocalName } from "./local-name.js";

/** Length of the generated key: 48 characters of letters and digits, about 285 bits. */
export const LINK_SECRET_LENGTH = 48;

/**
 * The HMAC key that signs the links in emails (unsubscribe, preferences): a generated Secrets Manager secret,
 * read by dispatch (to sign) and the API (to verify). Retained: replacing it invalidates every link already
 * sent.
 */
export class LinkSecret extends Construct {
  /** The secret. */
  readonly secret: ISecret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const secret = new Secret(this, "Secret", {
      description: "Tailor: HMAC key signing the unsubscribe and preference links in emails",
      generateSecretString: {
        passwordLength: LINK_SECRET_LENGTH,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason: "HMAC key; rotate by hand, old links die.",
    });
    tagLocalName(secret, "AWS::SecretsManager::Secret", LOCAL_NAMES.linkSecret);
    this.secret = secret;
  }
}
