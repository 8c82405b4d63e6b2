/** One rendered email of a preview run. */
export interface PreviewEntry {
  readonly template: string;
  readonly variant: string;
  /** The sample or customer it was rendered for. */
  readonly recipient: string;
  /** Path of the HTML file, relative to the index page. */
  readonly htmlFile?: string;
  readonly subject?: string;
  readonly preheader?: string;
  readonly text?: string;
  /** Why it could not be rendered. */
  readonly error?: string;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function entryHtml(entry: PreviewEntry): string {
  const title = `${entry.template} · variant ${entry.variant} · ${entry.recipient}`;
  if (entry.error !== undefined) {
    return `<section class="entry failed"><h2>${escapeHtml(title)}</h2><p class="error">${escapeHtml(entry.error)}</p></section>`;
  }
  return `<section class="entry">
  <h2>${escapeHtml(title)}</h2>
  <p class="meta"><b>Subject:</b> ${escapeHtml(entry.subject ?? "")}<br><b>Preheader:</b> ${escapeHtml(entry.preheader ?? "")}</p>
  <div class="pair">
    <iframe title="${escapeHtml(title)} (HTML)" src="${escapeHtml(entry.htmlFile ?? "")}" width="640" height="900" sandbox></iframe>
    <pre>${escapeHtml(entry.text ?? "")}</pre>
  </div>
</section>`;
}

/**
 * A local page showing every rendered email: the HTML (in a sandboxed frame) and the plain-text part side by
 * side, with subject and preheader, grouped by template, every variant included. Failures are listed with
 * their reason.
 */
export function previewIndexPage(entries: readonly PreviewEntry[], generatedAt: string): string {
  const templates = [...new Set(entries.map((entry) => entry.template))];
  const nav = templates.map((name) => `<a href="#${escapeHtml(name)}">${escapeHtml(name)}</a>`).join(" · ");
  const groups = templates
    .map((name) => {
      const own = entries.filter((entry) => entry.template === name);
      return `<h1 id="${escapeHtml(name)}">${escapeHtml(name)}</h1>\n${own.map(entryHtml).join("\n")}`;
    })
    .join("\n");
  const failed = entries.filter((entry) => entry.error !== undefined).length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Tailor email previews</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 24px; background: #fafafa; color: #222; }
  .pair { display: flex; gap: 16px; align-items: flex-start; }
  iframe { border: 1px solid #ccc; background: #fff; flex: none; }
  pre { white-space: pre-wrap; word-break: break-word; background: #fff; border: 1px solid #ccc; padding: 12px;
        margin: 0; max-height: 900px; overflow: auto; flex: 1; font-size: 12px; }
  .entry { margin-bottom: 40px; }
  .failed .error { color: #b00020; font-family: monospace; }
  .meta { font-size: 14px; }
</style>
</head>
<body>
<p>${entries.length} email(s), ${failed} failed · generated ${escapeHtml(generatedAt)}</p>
<nav>${nav}</nav>
${groups}
</body>
</html>
`;
}
