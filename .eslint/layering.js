// Enforces DESIGN.md's layering table: which top-level folder may import which, and that a folder is
// entered only through its index.ts.
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

/** folder -> folders it may import (besides itself). "*" = everything. */
const ALLOWED = {
  "tpm2": [],
  "lib": [],
  "certs": ["tpm2", "lib"],
  "protocol": ["tpm2", "lib"],
  "tpm-emulator": ["tpm2", "certs", "lib"],
  "attestation-service": ["tpm2", "certs", "protocol", "lib"],
  "deployment-service": ["tpm2", "certs", "protocol", "lib"],
  "agent": ["tpm2", "protocol", "lib", "tpm-emulator"],
  "fleet": ["agent", "tpm-emulator", "lib", "attestation-service", "deployment-service", "protocol", "tpm2", "certs"],
  "cli": "*",
  "test": "*",
  "bench": "*",
};

function topFolder(file) {
  const rel = path.relative(ROOT, file);
  if (rel.startsWith("..")) return undefined;
  const parts = rel.split(path.sep);
  return parts.length > 1 ? parts[0] : ".";
}

const oneWay = {
  meta: { type: "problem", schema: [], messages: {
    layer: "'{{from}}/' may not import '{{to}}/' (DESIGN.md layering)",
    entry: "import '{{to}}/' through its index.ts, not '{{spec}}'",
  } },
  create(context) {
    const file = context.filename;
    const from = topFolder(file);
    if (!from || !(from in ALLOWED)) return {};
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== "string" || !spec.startsWith(".")) return;
      const target = path.resolve(path.dirname(file), spec);
      const to = topFolder(target);
      if (!to || to === from || to === ".") return;
      const allowed = ALLOWED[from];
      if (allowed !== "*" && !allowed.includes(to)) {
        context.report({ node, messageId: "layer", data: { from, to } });
        return;
      }
      if (from !== "test" && path.relative(path.join(ROOT, to), target) !== "index.js") {
        context.report({ node, messageId: "entry", data: { to, spec } });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default { rules: { "one-way": oneWay } };
