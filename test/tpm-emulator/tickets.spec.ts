import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { TPM_ALG, TPM_RC, TPM_RH, TPM_ST, TpmError } from "../../tpm2/index.js";
import { TpmEmulator } from "../../tpm-emulator/index.js";
import {
  authTicket,
  creationTicket,
  hashcheckTicket,
  isAuthTicketValid,
  isCreationTicketValid,
  isHashcheckTicketValid,
  isVerifiedTicketValid,
  nullTicket,
  verifiedTicket,
} from "../../tpm-emulator/tickets.js";

const NAME = Buffer.concat([Buffer.from("000b", "hex"), randomBytes(32)]);
const OTHER_NAME = Buffer.concat([Buffer.from("000b", "hex"), randomBytes(32)]);
const HASH = randomBytes(32);

describe("tpm-emulator/tickets", () => {
  const tpm = () => TpmEmulator.create().runtime;

  it("a creation ticket proves exactly its object, creation hash and hierarchy", () => {
    const t = tpm();
    const ticket = creationTicket(t, TPM_RH.OWNER, HASH, NAME);
    expect(ticket.tag).to.equal(TPM_ST.CREATION);
    expect(ticket.digest).to.have.length(64);
    expect(isCreationTicketValid(t, ticket, HASH, NAME)).to.equal(true);
    expect(isCreationTicketValid(t, ticket, HASH, OTHER_NAME)).to.equal(false);
    expect(isCreationTicketValid(t, ticket, randomBytes(32), NAME)).to.equal(false);
    expect(isCreationTicketValid(t, { ...ticket, hierarchy: TPM_RH.ENDORSEMENT }, HASH, NAME)).to.equal(false);
    expect(isCreationTicketValid(t, { ...ticket, hierarchy: TPM_RH.LOCKOUT }, HASH, NAME)).to.equal(false);
    expect(isCreationTicketValid(tpm(), ticket, HASH, NAME)).to.equal(false);
  });

  it("a null-hierarchy ticket dies with the TPM Reset, an owner ticket does not", () => {
    const t = tpm();
    const owner = creationTicket(t, TPM_RH.OWNER, HASH, NAME);
    const ephemeral = creationTicket(t, TPM_RH.NULL, HASH, NAME);
    expect(isCreationTicketValid(t, ephemeral, HASH, NAME)).to.equal(true);
    t.resetVolatile();
    expect(isCreationTicketValid(t, ephemeral, HASH, NAME)).to.equal(false);
    expect(isCreationTicketValid(t, owner, HASH, NAME)).to.equal(true);
  });

  it("a hash-check ticket is bound to the hash algorithm and the digest", () => {
    const t = tpm();
    const ticket = hashcheckTicket(t, TPM_RH.ENDORSEMENT, TPM_ALG.SHA256, HASH);
    expect(isHashcheckTicketValid(t, ticket, TPM_ALG.SHA256, HASH)).to.equal(true);
    expect(isHashcheckTicketValid(t, ticket, TPM_ALG.SHA384, HASH)).to.equal(false);
    expect(isHashcheckTicketValid(t, ticket, TPM_ALG.SHA256, randomBytes(32))).to.equal(false);
    expect(isHashcheckTicketValid(t, nullTicket(TPM_ST.HASHCHECK), TPM_ALG.SHA256, HASH)).to.equal(false);
  });

  it("a verified ticket is bound to the key's Name", () => {
    const t = tpm();
    const ticket = verifiedTicket(t, TPM_RH.OWNER, HASH, NAME);
    expect(isVerifiedTicketValid(t, ticket, HASH, NAME)).to.equal(true);
    expect(isVerifiedTicketValid(t, ticket, HASH, OTHER_NAME)).to.equal(false);
    expect(isVerifiedTicketValid(t, { ...ticket, tag: TPM_ST.HASHCHECK }, HASH, NAME)).to.equal(false);
  });

  it("an auth ticket with a timeout is bound to the reset count", () => {
    const t = tpm();
    const input = { timeout: 5000n, expiresOnReset: true, cpHash: Buffer.alloc(0), policyRef: Buffer.from("ref"), authName: NAME };
    const ticket = authTicket(t, { ...input, tag: TPM_ST.AUTH_SECRET, hierarchy: TPM_RH.OWNER });
    expect(isAuthTicketValid(t, ticket, input)).to.equal(true);
    expect(isAuthTicketValid(t, ticket, { ...input, policyRef: Buffer.from("other") })).to.equal(false);
    expect(isAuthTicketValid(t, ticket, { ...input, timeout: 5001n })).to.equal(false);
    t.state.resetCount++;
    expect(isAuthTicketValid(t, ticket, input)).to.equal(false);
  });

  it("refuses to make a ticket for something that is not a hierarchy", () => {
    try {
      creationTicket(tpm(), TPM_RH.LOCKOUT, HASH, NAME);
      expect.fail("no error");
    } catch (e) {
      expect(e).to.be.instanceOf(TpmError);
      expect((e as TpmError).rc).to.equal(TPM_RC.VALUE);
    }
  });
});
