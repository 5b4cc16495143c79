/**
 * How a Part 3 command is declared as data: handle area with authorization roles, parameters, response.
 */
import { struct, type Schema, type StructOf } from "./codec.js";
import { TPM_CC } from "./constants.js";

/** Part 3 "Auth Role" of a handle that needs authorization; `none` handles carry no session. */
export type AuthRole = "user" | "admin" | "dup" | "none";

export interface CommandDef<P = unknown, R = unknown> {
  readonly name: string;
  readonly code: number;
  /** Handle area names in order; their roles. */
  readonly handles: readonly string[];
  readonly roles: readonly AuthRole[];
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
    handles?: Record<string, AuthRole>;
    params?: P;
    responseHandle?: string;
    response?: R;
  },
): CommandDef<StructOf<P>, StructOf<R>> {
  const handles = Object.keys(spec.handles ?? {});
  const roles = Object.values(spec.handles ?? {});
  const params = spec.params ?? ({} as P);
  const response = spec.response ?? ({} as R);
  const first = (f: Fields) => Object.values(f)[0];
  return {
    name,
    code: TPM_CC[name as keyof typeof TPM_CC],
    handles,
    roles,
    authCount: roles.filter((r) => r !== "none").length,
    params: struct(`${name}_In`, params),
    paramFields: Object.entries(params),
    responseHandle: spec.responseHandle,
    response: struct(`${name}_Out`, response),
    decryptAllowed: first(params)?.sized === true,
    encryptAllowed: first(response)?.sized === true,
  };
}

