import { createHash } from "node:crypto";

/** SES allows tag names and values of ASCII letters, digits, `_` and `-`, at most 256 characters. */
export const SES_TAG_MAX_LENGTH = 256;

/** The message tag carrying the send's reference ({@link sendRefOf}), read back from SES's events. */
export const SEND_TAG = "send";

const ALLOWED = /^[A-Za-z0-9-]$/;
const utf8 = new TextEncoder();
const hex = (byte: number) => byte.toString(16).toUpperCase().padStart(2, "0");

/**
 * Encodes any string into SES's tag alphabet, reversibly: letters, digits and `-` stay, `_` becomes `__`, and
 * every other UTF-8 byte becomes `_XX` (hex). `c.42@x` → `c_2E42_40x`. Values longer than 256 characters once
 * encoded are cut (then {@link decodeSesTag} cannot restore them: keep ids short).
 */
export function encodeSesTag(value: string): string {
  return encodeWhole(value).slice(0, SES_TAG_MAX_LENGTH);
}

function encodeWhole(value: string): string {
  let out = "";
  for (const char of value) {
    if (char === "_") out += "__";
    else if (ALLOWED.test(char)) out += char;
    else for (const byte of utf8.encode(char)) out += `_${hex(byte)}`;
  }
  // SES refuses an empty tag value.
  return out === "" ? "_" : out;
}

const HASHED_PREFIX = "sha256-";
const SEND_REF = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * The reference of a send key as a tag value: the key encoded by {@link encodeSesTag} when that fits in 256
 * characters whole (readable, reversible), else `sha256-` and the key's SHA-256 in hex. Deterministic, so the
 * mailer (which tags the email) and the ledger (which looks up SES's `Send` event by key) agree. The two forms
 * cannot collide: an encoded key never starts with `sha256-` followed by hex only, as a send key holds `#`
 * (encoded `_23`).
 */
export function sendRefOf(sendKey: string): string {
  const encoded = encodeWhole(sendKey);
  if (encoded.length <= SES_TAG_MAX_LENGTH) return encoded;
  return `${HASHED_PREFIX}${createHash("sha256").update(sendKey, "utf8").digest("hex")}`;
}

/** Whether `value` can be a send reference as SES publishes it back (SES's tag alphabet, 1–256 characters). */
export function isSendRef(value: string): boolean {
  return SEND_REF.test(value);
}

/** Restores a value written by {@link encodeSesTag}; `undefined` when `tag` is not such an encoding. */
export function decodeSesTag(tag: string): string | undefined {
  if (tag === "_") return "";
  const bytes: number[] = [];
  for (let i = 0; i < tag.length; ) {
    const char = tag[i] ?? "";
    if (char !== "_") {
      if (!ALLOWED.test(char)) return undefined;
      bytes.push(char.charCodeAt(0));
      i++;
    } else if (tag[i + 1] === "_") {
      bytes.push(0x5f);
      i += 2;
    } else {
      const pair = tag.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(pair)) return undefined;
      bytes.push(Number.parseInt(pair, 16));
      i += 3;
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}
