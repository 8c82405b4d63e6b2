/**
 * Masks an address for a page anyone holding the link can open: the first character of the local part, then
 * `***`, then the domain (`jane@example.com` → `j***@example.com`).
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "***";
  // By code point, so an address starting with an emoji is not cut in half.
  const first = Array.from(email.slice(0, at))[0] ?? "";
  return `${first}***${email.slice(at)}`;
}
