/** Tidies a rendered text part: no trailing spaces, at most one blank line in a row (Liquid tags leave gaps). */
export function tidyText(text: string): string {
  return `${text
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim()}\n`;
}
