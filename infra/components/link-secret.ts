import { RemovalPolicy, Validations } from "aws-cdk-lib";
import { type ISecret, Secret, type SecretStringGenerator } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { FIRST_LINK_KEY_ID } from "#shared/render/link-keys.js";
import { LOCAL_NAMES } from "../local-names.js";
import type { LinkSecretFormat } from "./link-key-settings.js";
import { tagLocalName } from "./local-name.js";

/** Length of a generated key: 48 characters of letters and digits, about 285 bits. */
export const LINK_SECRET_LENGTH = 48;

/** Props of {@link LinkSecret}. */
export interface LinkSecretProps {
  /**
   * What the secret holds; see `linkSecretFormat` (`plain` only for stacks deployed before key rings).
   * @default "key-ring"
   */
  readonly format?: LinkSecretFormat;
}

/**
 * The generation of each format. `plain` is exactly what stacks before key rings declared: CloudFormation makes a
 * new value whenever these settings change, so theirs must stay as they were.
 */
function generation(format: LinkSecretFormat): SecretStringGenerator {
  const plain = { passwordLength: LINK_SECRET_LENGTH, excludePunctuation: true, includeSpace: false };
  if (format === "plain") return plain;
  // `{"current":"k1","k1":"<48 generated characters>"}`: the key ring with its first key, made at deploy.
  return {
    ...plain,
    secretStringTemplate: JSON.stringify({ current: FIRST_LINK_KEY_ID }),
    generateStringKey: FIRST_LINK_KEY_ID,
  };
}

/**
 * The HMAC keys that sign the links in emails (unsubscribe, preferences, confirmation): a generated Secrets
 * Manager secret holding a key ring (`{"current":"k1","k1":"…"}`), read by dispatch (to sign with the current key)
 * and the API (to verify with the key a token names). `tailor links rotate` adds a key and retires the old one,
 * which keeps verifying for `linkKeyGraceDays`. Retained: deleting it would invalidate every link already sent.
 */
export class LinkSecret extends Construct {
  /** The secret. */
  readonly secret: ISecret;

  constructor(scope: Construct, id: string, props: LinkSecretProps = {}) {
    super(scope, id);
    const secret = new Secret(this, "Secret", {
      description: "Tailor: HMAC key signing the unsubscribe and preference links in emails",
      generateSecretString: generation(props.format ?? "key-ring"),
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
