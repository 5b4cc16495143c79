/** Why a virtual device could not be made or loaded; `code` is stable (never match on the message). */
export type DeviceErrorCode =
  /** No catalogue model has that id. */
  | "DEVICE_MODEL_UNKNOWN"
  /** The model's TPM does not come from that vendor (or no ordinary model takes that vendor). */
  | "DEVICE_VENDOR_UNSUPPORTED"
  /** The seed is not 16 to 64 bytes. */
  | "DEVICE_SEED_INVALID"
  /** The directory already holds a device. */
  | "DEVICE_EXISTS"
  /** The directory holds no device description. */
  | "DEVICE_NOT_FOUND"
  /** The device description is not valid JSON or does not have the expected shape. */
  | "DEVICE_DESCRIPTION_CORRUPT"
  /** The device description was written by a newer format. */
  | "DEVICE_DESCRIPTION_VERSION"
  /** The description names a TPM whose state is not in the directory. */
  | "DEVICE_TPM_MISSING";

/** An error about a device or its directory. */
export class DeviceError extends Error {
  constructor(
    readonly code: DeviceErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DeviceError";
  }
}
