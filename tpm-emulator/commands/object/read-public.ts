import { defineCommand } from "../registry.js";

/**
 * Part 3 §12.4 TPM2_ReadPublic: the public area, Name and qualified name of a loaded or persistent object.
 * RCs: none beyond the handle checks of the dispatcher.
 */
export const readPublic = defineCommand("ReadPublic", (tpm, { handles }) => {
  const object = tpm.requireObject(handles[0]!);
  return { response: { outPublic: object.publicArea, name: object.name, qualifiedName: object.qualifiedName } };
});
