import { expect } from "chai";
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { AttestationKeys, type JsonWebKeySet } from "../../../deployment-service/join/attestation-keys.js";
import { checkTokenNames, normalizeSerial, verifyAttestationToken } from "../../../deployment-service/join/attestation-token-check.js";
import { ManualClock } from "../../../lib/index.js";
import { ProtocolError } from "../../../protocol/index.js";

const clock = new ManualClock(Date.UTC(2026, 5, 1));
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const jwks: JsonWebKeySet = { keys: [{ ...(publicKey.export({ format: "jwk" }) as Record<string, unknown>), kid: "k1" }] };

function token(claims: Record<string, unknown>, key: KeyObject = privateKey, header: Record<string, unknown> = { alg: "ES256", typ: "JWT", kid: "k1" }): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${input}.${sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
}

const now = Math.floor(clock.now() / 1000);
const claims = { iss: "apsim-attestation", sub: "000BAA", ekpub: "ee", aikSerial: "00ABCD", iat: now, exp: now + 3600, jti: randomUUID() };

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
}

describe("deployment-service/join/attestation-token-check", () => {
  const keys = new AttestationKeys({ jwks }, clock);

  it("reads the claims of a token signed with the JWKS key", async () => {
    const facts = await verifyAttestationToken(token(claims), keys, clock.now());
    expect(facts).to.deep.equal({ sub: "000baa", ekpub: "ee", aikSerial: "00ABCD", jti: claims.jti, expiresAt: claims.exp * 1000 });
    expect(() => checkTokenNames(facts, { akName: Buffer.from("000baa", "hex"), aikSerial: "abcd" })).to.not.throw();
    expect(normalizeSerial("0000ABcd")).to.equal("abcd");
  });

  it("refuses forged, foreign, unsigned-algorithm, future and malformed tokens as JOIN_ATTESTATION_INVALID", async () => {
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    for (const bad of [
      token(claims, stranger),
      token({ ...claims, iss: "someone-else" }),
      token(claims, privateKey, { alg: "HS256", kid: "k1" }),
      token(claims, privateKey, { alg: "ES256", kid: "unknown" }),
      token({ ...claims, iat: now + 3600 }),
      token({ ...claims, sub: undefined }),
      "not.a.jwt!",
      "abc",
    ]) {
      expect(await codeOf(verifyAttestationToken(bad, keys, clock.now())), bad).to.equal("JOIN_ATTESTATION_INVALID");
    }
  });

  it("an expired token is JOIN_ATTESTATION_EXPIRED, on the service clock", async () => {
    expect(await codeOf(verifyAttestationToken(token({ ...claims, exp: now - 1 }), keys, clock.now()))).to.equal("JOIN_ATTESTATION_EXPIRED");
    expect(await codeOf(verifyAttestationToken(token(claims), keys, clock.now() + 3601_000))).to.equal("JOIN_ATTESTATION_EXPIRED");
  });

  it("a token for another AK or AIK certificate is JOIN_ATTESTATION_INVALID", async () => {
    const facts = await verifyAttestationToken(token(claims), keys, clock.now());
    expect(() => checkTokenNames(facts, { akName: Buffer.from("000bab", "hex"), aikSerial: "abcd" })).to.throw(ProtocolError, /another AK/);
    expect(() => checkTokenNames(facts, { akName: Buffer.from("000baa", "hex"), aikSerial: "abce" })).to.throw(ProtocolError, /another AIK/);
  });
});
