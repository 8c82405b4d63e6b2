import { randomUUID } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { resolveDataDir } from "#infra/local/data-dir.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";

/** Where `tailor links` reads and writes the link secret's value. */
export interface LinkSecretStore {
  /** Said in messages: the file or the secret's ARN. */
  readonly where: string;
  read(): Promise<string>;
  write(value: string): Promise<void>;
  close(): void;
}

/**
 * The local stack's secret file (`<data dir>/secrets/tailor-link-secret`): replaced atomically (a new file
 * renamed over it, mode 0600), so that a running stack reads the old value or the new one, never half of one.
 */
export function localLinkSecretStore(dataDir: string | undefined): LinkSecretStore {
  const file = path.join(resolveDataDir(dataDir), "secrets", LOCAL_NAMES.linkSecret);
  return {
    where: file,
    async read() {
      if (!existsSync(file)) {
        throw new LocalStackError(
          `no link secret at ${file}: start the local stack once (npm start) to create it`,
        );
      }
      return readFileSync(file, "utf8");
    },
    async write(value) {
      const next = `${file}.${process.pid}.next`;
      writeFileSync(next, value, { mode: 0o600 });
      chmodSync(next, 0o600);
      renameSync(next, file);
    },
    close() {},
  };
}

/**
 * The deployed secret (the stack's `LinkSecret`), through Secrets Manager with the default credential chain:
 * GetSecretValue, then PutSecretValue (a new version, AWSCURRENT; the previous one stays as AWSPREVIOUS).
 */
export async function awsLinkSecretStore(
  secretArn: string,
  region: string | undefined,
): Promise<LinkSecretStore> {
  const { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } = await import(
    "@aws-sdk/client-secrets-manager"
  );
  const client = new SecretsManagerClient(region === undefined ? {} : { region });
  return {
    where: secretArn,
    async read() {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      if (out.SecretString === undefined) {
        throw new LocalStackError(`${secretArn} holds no SecretString: is it the stack's link secret?`);
      }
      return out.SecretString;
    },
    async write(value) {
      await client.send(
        new PutSecretValueCommand({
          SecretId: secretArn,
          SecretString: value,
          ClientRequestToken: randomUUID(),
        }),
      );
    },
    close() {
      client.destroy();
    },
  };
}
