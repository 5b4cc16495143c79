import { ERRORS, formatHresult } from "./errors.js";

/** The registry as a Markdown table (README carries it; a test keeps the two equal). */
export function renderErrorTable(): string {
  const rows = Object.entries(ERRORS).map(([code, definition]) => {
    const status = definition.status === 0 ? "device" : String(definition.status);
    const hresult = definition.hresult === undefined ? "" : formatHresult(definition.hresult);
    return `| \`${code}\` | ${status} | ${hresult} | ${definition.retryable ? "yes" : "no"} | ${definition.message} |`;
  });
  return ["| code | HTTP | HRESULT | retried | meaning |", "|---|---|---|---|---|", ...rows].join("\n");
}
