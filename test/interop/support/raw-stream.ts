import { connect } from "node:net";
import { TPM_RC, type Transport } from "../../../tpm2/index.js";

/**
 * swtpm's raw command stream (its data port) as a client transport: one command, one response per connection,
 * as the TSS swtpm TCTI does. libtpms asks for the first DA-protected authorization after start-up to be
 * resubmitted (TPM_RC_RETRY); this resubmits, as ESYS does.
 */
export function rawStream(port: number): Transport {
  const once = (command: Uint8Array) =>
    new Promise<Buffer>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      let response = Buffer.alloc(0);
      socket.on("data", (chunk: Buffer) => {
        response = Buffer.concat([response, chunk]);
        if (response.length >= 6 && response.length >= response.readUInt32BE(2)) {
          socket.destroy();
          resolve(response);
        }
      });
      socket.on("error", reject);
      socket.write(command);
    });
  return async (command) => {
    for (let attempt = 0; ; attempt++) {
      const response = await once(command);
      if (response.readUInt32BE(6) !== TPM_RC.RETRY || attempt >= 4) return response;
    }
  };
}
