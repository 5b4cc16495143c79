/**
 * Device join ("Joining your organization's network"): a registered Autopilot device proves itself — with its TPM
 * (self-deploying, pre-provisioning: AIK certificate, attestation token, and a device key certified by the AK) or
 * with a user's credentials (user-driven) — and gets a device id, a device identity certificate for its device key
 * and a device token; a hybrid join also gets an offline domain join blob for a computer account in the domain.
 */
import { createHash, randomUUID } from "node:crypto";
import { issueDeviceIdentityCertificate, loadDeviceRegistrationCa, spkiOfTpmPublic, type DeviceRegistrationCa } from "../../certs/index.js";
import type { Clock } from "../../lib/index.js";
import {
  JOIN_API_VERSION,
  ProtocolError,
  formatOdjBlob,
  isAttestedMode,
  type JoinAttestation,
  type JoinRequest,
  type JoinResponse,
} from "../../protocol/index.js";
import { AikTrust, checkAikCertificate } from "./aik-certificate-check.js";
import { AttestationKeys, type AttestationKeySource } from "./attestation-keys.js";
import { checkTokenNames, verifyAttestationToken } from "./attestation-token-check.js";
import { checkDeviceKeyCertification } from "./device-key-certification.js";
import { loadDeviceTokens, type DeviceTokenClaims, type DeviceTokens } from "./device-token.js";
import type { DomainControllerSimulator } from "./domain-controller.js";
import type { JoinDirectory, JoinUser, RegisteredJoinDevice } from "./join-directory.js";
import { MemoryTokenReplayGuard, type TokenReplayGuard } from "./token-replay-guard.js";
import { decodeAttestBytes, decodePublic, decodeSignature, type PresentedPublic } from "./tpm-evidence.js";

/** Options of {@link JoinService.create}. */
export interface JoinServiceOptions {
  /** Home of the PKI (AIK CAs, device registration CA, device token key). */
  readonly home: string;
  readonly clock: Clock;
  readonly directory: JoinDirectory;
  /** The attestation service's token keys: its JWKS, or its base URL to fetch them from. */
  readonly attestationKeys: AttestationKeySource;
  /** The on-premises domain of hybrid joins; without one, hybrid joins are refused. */
  readonly domainController?: DomainControllerSimulator;
  /** Where used attestation tokens are remembered (default: this process's memory). */
  readonly replayGuard?: TokenReplayGuard;
}

/** The qualifying data of the device key's TPM2_Certify: SHA-256 of the attestation token, binding the two. */
export function certifyQualifyingData(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** The NetBIOS computer name of a hybrid-joined device: its requested name, else one derived from its id. */
function machineNameOf(request: JoinRequest, deviceId: string): string {
  const requested = request.deviceName?.toUpperCase().replace(/[^A-Z0-9-]/g, "").slice(0, 15);
  return requested !== undefined && requested !== "" ? requested : `APSIM-${deviceId.replaceAll("-", "").slice(0, 8).toUpperCase()}`;
}

/** The join service; one per process. */
export class JoinService {
  private constructor(
    private readonly options: JoinServiceOptions,
    private readonly ca: DeviceRegistrationCa,
    private readonly tokens: DeviceTokens,
    private readonly attestationKeys: AttestationKeys,
    private readonly aikTrust: AikTrust,
    private readonly replayGuard: TokenReplayGuard,
  ) {}

  /** Loads (or makes) the device registration CA and the device token key. */
  static async create(options: JoinServiceOptions): Promise<JoinService> {
    const [ca, tokens] = await Promise.all([loadDeviceRegistrationCa(options.home), loadDeviceTokens(options.home)]);
    return new JoinService(
      options,
      ca,
      tokens,
      new AttestationKeys(options.attestationKeys, options.clock),
      new AikTrust(options.home),
      options.replayGuard ?? new MemoryTokenReplayGuard(),
    );
  }

  /** The device token key as a JWKS. */
  get deviceTokenJwks(): DeviceTokens["jwks"] {
    return this.tokens.jwks;
  }

  /** The claims of a device token this service issued, unexpired; undefined otherwise (MDM enrollment uses it). */
  verifyDeviceToken(token: string): Promise<DeviceTokenClaims | undefined> {
    return this.tokens.verify(token, this.options.clock.now());
  }

  /**
   * Joins a device.
   * @throws ProtocolError JOIN_DEVICE_NOT_FOUND, JOIN_AUTHENTICATION_FAILED, JOIN_AIK_CERT_UNTRUSTED,
   *   JOIN_ATTESTATION_INVALID / _EXPIRED / _REPLAYED, JOIN_DEVICE_KEY_NOT_CERTIFIED, JOIN_HYBRID_NOT_CONFIGURED,
   *   MALFORMED_TPM_STRUCTURE.
   */
  async join(request: JoinRequest): Promise<JoinResponse> {
    const device = await this.registeredDevice(request.serialNumber);
    const deviceKey = decodePublic("deviceKey", request.deviceKey);
    const spki = spkiOfTpmPublic(deviceKey.publicArea);
    if (spki === undefined) throw new ProtocolError("MALFORMED_TPM_STRUCTURE", "deviceKey: not an RSA or NIST-curve ECC key");
    const domainController = request.joinType === "hybrid" ? this.hybridDomain() : undefined;
    let user: JoinUser | undefined;
    if (isAttestedMode(request.mode)) await this.verifyAttestedDeviceKey(request.attestation!, deviceKey);
    else user = await this.verifyUser(request);

    const now = this.options.clock.now();
    const deviceId = randomUUID();
    const certificate = await issueDeviceIdentityCertificate(this.ca, { deviceId, subjectPublicKeyInfo: spki, now: new Date(now) });
    const der = new Uint8Array(certificate.rawData);
    let odjBlob: string | undefined;
    let machineName: string | undefined;
    if (domainController !== undefined) {
      machineName = machineNameOf(request, deviceId);
      const machinePassword = domainController.provisionComputer(machineName);
      odjBlob = formatOdjBlob({
        domain: domainController.domain,
        netbiosDomain: domainController.netbiosDomain,
        machineName,
        machinePassword,
        domainController: domainController.hostName,
      });
    }
    const deviceToken = await this.tokens.sign(
      { deviceId, ztdId: device.ztdId, joinType: request.joinType, mode: request.mode, ...(user === undefined ? {} : { upn: user.userPrincipalName }) },
      now,
    );
    await this.options.directory.recordJoin({
      deviceId,
      ztdId: device.ztdId,
      serialNumber: device.serialNumber,
      mode: request.mode,
      joinType: request.joinType,
      ...(user === undefined ? {} : { userPrincipalName: user.userPrincipalName }),
      certificateThumbprint: createHash("sha256").update(der).digest("hex"),
      ...(machineName === undefined ? {} : { machineName }),
      joinedAt: now,
    });
    return {
      v: JOIN_API_VERSION,
      deviceId,
      joinType: request.joinType,
      deviceCertificate: der,
      deviceCertificateChain: [new Uint8Array(this.ca.certificate.rawData)],
      deviceToken,
      ...(odjBlob === undefined ? {} : { odjBlob }),
    };
  }

  /** Releases what the service holds open. */
  close(): Promise<void> {
    return this.attestationKeys.close();
  }

  private async registeredDevice(serialOrZtdId: string): Promise<RegisteredJoinDevice> {
    const device = await this.options.directory.findRegisteredDevice(serialOrZtdId);
    if (device === undefined) throw new ProtocolError("JOIN_DEVICE_NOT_FOUND", `no registered device '${serialOrZtdId.slice(0, 64)}'`);
    return device;
  }

  private hybridDomain(): DomainControllerSimulator {
    if (this.options.domainController === undefined) throw new ProtocolError("JOIN_HYBRID_NOT_CONFIGURED");
    return this.options.domainController;
  }

  private async verifyUser(request: JoinRequest): Promise<JoinUser> {
    const { userPrincipalName, password } = request.credentials!;
    const user = await this.options.directory.verifyUser(userPrincipalName, password);
    if (user === undefined) throw new ProtocolError("JOIN_AUTHENTICATION_FAILED");
    return user;
  }

  /** The TPM proof of an attested join; the token is spent only when everything else verified. */
  private async verifyAttestedDeviceKey(attestation: JoinAttestation, deviceKey: PresentedPublic): Promise<void> {
    const now = this.options.clock.now();
    const ak = decodePublic("akPublic", attestation.akPublic);
    const aik = await checkAikCertificate(attestation.aikCertificate, ak.publicArea, this.aikTrust, now);
    const token = await verifyAttestationToken(attestation.token, this.attestationKeys, now);
    checkTokenNames(token, { akName: ak.name, aikSerial: aik.serialNumber });
    checkDeviceKeyCertification({
      akPublic: ak.publicArea,
      deviceKey,
      attest: decodeAttestBytes("certifyInfo", attestation.certifyInfo),
      signature: decodeSignature("certifySignature", attestation.certifySignature),
      qualifyingData: certifyQualifyingData(attestation.token),
    });
    if (!(await this.replayGuard.consume(token.jti, token.expiresAt, now))) {
      throw new ProtocolError("JOIN_ATTESTATION_REPLAYED", `token ${token.jti}`);
    }
  }
}
