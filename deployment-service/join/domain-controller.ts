/**
 * A simulated on-premises domain controller for hybrid join. The join service provisions computer accounts in it
 * (as the Intune Connector for Active Directory runs `djoin /provision`) and hands the device an offline domain join
 * blob; the device then proves its machine account to the DC over its secure channel. The DC is a virtual host
 * under the base URL (`https://<base>/<dc host>/netlogon/v1/secure-channel`) and can be switched unreachable: it
 * then drops every connection unanswered, as a DC out of the device's line of sight.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { DOMAIN_CONTROLLER_SECURE_CHANNEL_PATH, ProtocolError, VIRTUAL_HOST_SUFFIX, virtualHostPrefix } from "../../protocol/index.js";

/** Options of {@link DomainControllerSimulator}. */
export interface DomainControllerOptions {
  /** DNS name of the domain (default `corp.contoso.example`). */
  readonly domain?: string;
  /** NetBIOS name of the domain (default the first label, upper case, at most 15 characters). */
  readonly netbiosDomain?: string;
}

const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;
const MACHINE_NAME = /^[A-Z0-9-]{1,15}$/;
const MAX_ACCOUNTS = 100_000;

const digest = (password: string): Buffer => createHash("sha256").update(password, "utf8").digest();

/** The domain's DC: computer accounts, reachability, and the secure-channel endpoint. */
export class DomainControllerSimulator {
  readonly domain: string;
  readonly netbiosDomain: string;
  /** Virtual host name of the DC (`dc01.<netbios>.ad.apsim.test`). */
  readonly hostName: string;
  #reachable = true;
  /** Machine name → SHA-256 of its password. */
  readonly #accounts = new Map<string, Buffer>();

  constructor(options: DomainControllerOptions = {}) {
    const domain = (options.domain ?? "corp.contoso.example").toLowerCase();
    if (!DOMAIN.test(domain)) throw new RangeError(`not a DNS domain name: ${domain}`);
    this.domain = domain;
    this.netbiosDomain = (options.netbiosDomain ?? domain.split(".")[0]!).toUpperCase().slice(0, 15);
    this.hostName = `dc01.${this.netbiosDomain.toLowerCase()}.ad${VIRTUAL_HOST_SUFFIX}`;
  }

  get reachable(): boolean {
    return this.#reachable;
  }

  /** Makes the DC answer, or drop every connection (a test's "no line of sight to the DC"). */
  setReachable(reachable: boolean): void {
    this.#reachable = reachable;
  }

  /** Creates (or resets) the computer account `machineName` with a fresh random password, which it returns. */
  provisionComputer(machineName: string): string {
    if (!MACHINE_NAME.test(machineName)) throw new RangeError(`not a computer name: ${machineName}`);
    if (!this.#accounts.has(machineName) && this.#accounts.size >= MAX_ACCOUNTS) throw new ProtocolError("OVERLOADED", "the domain holds too many computer accounts");
    const password = randomBytes(24).toString("base64url");
    this.#accounts.set(machineName, digest(password));
    return password;
  }

  hasComputer(machineName: string): boolean {
    return this.#accounts.has(machineName);
  }

  /** Whether `password` is the machine account's. */
  verifyMachine(machineName: string, password: string): boolean {
    const held = this.#accounts.get(machineName);
    return held !== undefined && timingSafeEqual(held, digest(password));
  }

  /** Mounts the DC's virtual host on `app`. */
  register(app: FastifyInstance): void {
    app.post(`/${virtualHostPrefix(this.hostName)}/${DOMAIN_CONTROLLER_SECURE_CHANNEL_PATH}`, { bodyLimit: 4096 }, async (request, reply) => {
      if (!this.#reachable) {
        reply.hijack();
        request.raw.socket.destroy();
        return;
      }
      const body = request.body as Record<string, unknown> | null;
      const machineName = typeof body?.["machineName"] === "string" ? body["machineName"] : "";
      const password = typeof body?.["machinePassword"] === "string" ? body["machinePassword"] : "";
      if (!this.verifyMachine(machineName, password)) throw new ProtocolError("UNAUTHORIZED", "the machine account or its password is unknown to the domain");
      return reply.type("application/json").send({ domain: this.domain, domainController: this.hostName });
    });
  }
}
