import { TPM_CAP, type TpmClient } from "../../../tpm2/index.js";

/** Handles of a type the TPM still holds (0x80: transient objects, 0x02/0x03: sessions). */
export async function loadedHandles(client: TpmClient, type: 0x80 | 0x02 | 0x03): Promise<number[]> {
  const out = await client.run("GetCapability", { params: { capability: TPM_CAP.HANDLES, property: type << 24, propertyCount: 64 } });
  return (out.capabilityData.data as number[]).filter((h) => h >>> 24 === type);
}
