import { PP_CAPABLE_COMMANDS, PP_REQUIRED_COMMANDS } from "../../physical-presence.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";

/**
 * Part 3 §26.2 TPM2_PP_Commands: adds the commands of setList to, and removes those of clearList from, the list of
 * commands whose platform authorization needs physical presence. Codes that may not be on the list (not
 * implemented, or without platform authorization) are ignored in setList, TPM2_PP_Commands itself in clearList, as
 * the reference does (PhysicalPresenceCommandSet/Clear). The command itself always needs physical presence.
 * RCs: only those of authorization (TPM_RC_PP when physical presence is not asserted).
 */
export const ppCommands = defineCommand(
  "PP_Commands",
  (tpm, { params }) => {
    const list = new Set(tpm.state.ppCommands);
    for (const code of params.setList) if (PP_CAPABLE_COMMANDS.has(code)) list.add(code);
    for (const code of params.clearList) if (!PP_REQUIRED_COMMANDS.has(code)) list.delete(code);
    tpm.state.ppCommands = [...list].sort((a, b) => a - b);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
