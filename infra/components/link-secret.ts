import { RemovalPolicy, Validations } from "aws-cdk-lib";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { tagLocalName } from "./local-name.js";

/** Length of a generated key: 48 characters of letters and digits, about 285 bits. */
export const LINK_SECRET_LENGTH = 48;

/**
 * The HMAC keys that sign the links in emails (unsubscribe, preferences, confirmation): a Secrets Manager secret
 * generated at deploy as one plain key, read as the key ring's legacy key `k0`, by dispatch (to sign with the
 * current key) and the API (to verify with the key a token names). `tailor links rotate` turns it into a key ring
 * (`{"current":"k1","k0":"…","k1":"…","retired":{…}}`): a new current key, the old one verifying for
 * `linkKeyGraceDays`. The generation never changes: CloudFormation makes a new value whenever a secret's
 * `GenerateSecretString` changes, which would break every link already sent. Retained for the same reason.
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
      reason:
        "An HMAC key ring, not a credential a service can rotate: `tailor links rotate --secret-arn` adds a key and " +
        "retires the old one, which verifies links already sent until linkKeyGraceDays after (docs/operations.md).",
    });
    tagLocalName(secret, "AWS::SecretsManager::Secret", LOCAL_NAMES.linkSecret);
    this.secret = secret;
  }
}
