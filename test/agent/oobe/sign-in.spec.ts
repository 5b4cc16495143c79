import { expect } from "chai";
import { createServer } from "node:net";
import { signInUser } from "../../../agent/index.js";
import { OobeStepFailure } from "../../../agent/oobe/oobe-step.js";
import { decodeJws } from "../../../lib/index.js";
import { USER, startSignInServer, type SignInServer } from "../../deployment-service/support/sign-in-server.js";

async function failureOf(promise: Promise<unknown>): Promise<OobeStepFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(OobeStepFailure);
    return error as OobeStepFailure;
  }
  throw new Error("expected the sign-in to fail");
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("agent/oobe/sign-in: OOBE's sign-in against the deployment service", function () {
  this.timeout(60_000);
  let server: SignInServer;

  before(async () => {
    server = await startSignInServer();
  });
  after(async () => {
    await server?.close();
  });

  const exchange = () => ({ dispatcher: server.dispatcher, timeoutMs: 10_000 });

  it("returns a device-registration token for the user", async () => {
    const answer = await signInUser(server.url, USER, exchange());
    expect(answer.expiresIn).to.be.greaterThan(0);
    expect(decodeJws(answer.accessToken)?.payload).to.include({ sub: USER.upn, aud: "device-registration" });
  });

  it("fails a wrong password with the service's code, SIGN_IN_INVALID_CREDENTIALS, and E_FAIL (Entra documents no HRESULT)", async () => {
    const failure = await failureOf(signInUser(server.url, { upn: USER.upn, password: "Wrong horse 1" }, exchange()));
    expect(failure.code).to.equal("SIGN_IN_INVALID_CREDENTIALS");
    expect(failure.hresultText).to.equal("0x80004005");
  });

  it("fails an unreachable service as SERVICE_UNREACHABLE", async () => {
    const failure = await failureOf(signInUser(`https://127.0.0.1:${await closedPort()}/`, USER, exchange()));
    expect(failure.code).to.equal("SERVICE_UNREACHABLE");
  });
});
