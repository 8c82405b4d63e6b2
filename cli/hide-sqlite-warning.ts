/**
 * Imported first by the CLI, before fauxqs loads `node:sqlite`: hides Node's one-time "SQLite is an
 * experimental feature" warning, and only that one; every other warning is still printed.
 */
const printers = process.listeners("warning");
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "ExperimentalWarning" && /SQLite/i.test(warning.message)) return;
  for (const print of printers) print(warning);
});
