/**
 * How a Part 3 command is declared as data: handle area with authorization roles, parameters, response.
 */
import { struct, type Schema, type StructOf } from "./codec.js";
import { TPM_CC } from "./constants.js";

/** Part 3 "Auth Role" of a handle that needs authorization; `none` handles carry no session. */
export type AuthRole = "user" | "admin" | "dup" | "none";

/**
 * A kind of handle a handle-area field accepts (its Part 2 interface type, e.g. TPMI_DH_OBJECT = `object`); a
 * handle of another kind is TPM_RC_VALUE on that handle, found before any handle is looked up.
 */
export type HandleKind =
  | "owner"
  | "endorsement"
  | "platform"
  | "lockout"
  | "null"
  | "object"
  | "transient"
  | "nv"
  | "pcr"
  | "hmacSession"
  | "policySession";

/** A handle-area field: its role, and optionally the kinds of handle it accepts (any, when left out). */
export type HandleSpec = AuthRole | { role: AuthRole; types?: readonly HandleKind[] };

export interface CommandDef<P = unknown, R = unknown> {
  readonly name: string;
  readonly code: number;
  /** Handle area names in order; their roles. */
  readonly handles: readonly string[];
  readonly roles: readonly AuthRole[];
  /** Per handle, the kinds it accepts; undefined accepts any handle (checked by the handler, if at all). */
  readonly handleKinds: readonly (readonly HandleKind[] | undefined)[];
  /** Number of handles that need an authorization session (the leading `user`/`admin`/`dup` handles). */
  readonly authCount: number;
  readonly params: Schema<P>;
  /** The parameters one by one, so an unmarshal error can name its parameter number. */
  readonly paramFields: readonly (readonly [string, Schema<unknown>])[];
  /** Name of the handle returned in the response handle area, if any. */
  readonly responseHandle: string | undefined;
  readonly response: Schema<R>;
  /** Whether the first command/response parameter is a TPM2B (parameter encryption allowed, Part 1 §21). */
  readonly decryptAllowed: boolean;
  readonly encryptAllowed: boolean;
}

type Fields = Record<string, Schema<unknown>>;

export function command<P extends Fields, R extends Fields>(
  name: string,
  spec: {
    handles?: Record<string, HandleSpec>;
    params?: P;
    responseHandle?: string;
    response?: R;
  },
): CommandDef<StructOf<P>, StructOf<R>> {
  const handles = Object.keys(spec.handles ?? {});
  const specs = Object.values(spec.handles ?? {});
  const roles = specs.map((h) => (typeof h === "string" ? h : h.role));
  const handleKinds = specs.map((h) => (typeof h === "string" ? undefined : h.types));
  const params = spec.params ?? ({} as P);
  const response = spec.response ?? ({} as R);
  const first = (f: Fields) => Object.values(f)[0];
  return {
    name,
    code: TPM_CC[name as keyof typeof TPM_CC],
    handles,
    roles,
    handleKinds,
    authCount: roles.filter((r) => r !== "none").length,
    params: struct(`${name}_In`, params),
    paramFields: Object.entries(params),
    responseHandle: spec.responseHandle,
    response: struct(`${name}_Out`, response),
    decryptAllowed: first(params)?.sized === true,
    encryptAllowed: first(response)?.sized === true,
  };
}

