/** SES allows tag names and values of ASCII letters, digits, `_` and `-`, at most 256 characters. */
export const SES_TAG_MAX_LENGTH = 256;

const ALLOWED = /^[A-Za-z0-9-]$/;
const utf8 = new TextEncoder();
const hex = (byte: number) => byte.toString(16).toUpperCase().padStart(2, "0");

/**
 * Encodes any string into SES's tag alphabet, reversibly: letters, digits and `-` stay, `_` becomes `__`, and
 * every other UTF-8 byte becomes `_XX` (hex). `c.42@x` → `c_2E42_40x`. Values longer than 256 characters once
 * encoded are cut (then {@link decodeSesTag} cannot restore them: keep ids short).
 */
export function encodeSesTag(value: string): string {
  let out = "";
  for (const char of value) {
    if (char === "_") out += "__";
    else if (ALLOWED.test(char)) out += char;
    else for (const byte of utf8.encode(char)) out += `_${hex(byte)}`;
  }
  // SES refuses an empty tag value.
  return (out === "" ? "_" : out).slice(0, SES_TAG_MAX_LENGTH);
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
