/**
 * How a command handler is declared: a small function over typed parameters (ms-tpm-20-ref's X_In/X_Out),
 * tied to its Part 3 definition in tpm2/. The dispatcher does framing, sessions and marshalling.
 */
import {
  COMMANDS,
  TpmError,
  type CommandDef,
  type CommandName,
  type CommandParams,
  type CommandResponse,
} from "../../tpm2/index.js";
import type { Session } from "../sessions.js";
import type { Tpm } from "../tpm.js";

/** What the dispatcher learned while authorizing, for handlers that need it. */
export interface CommandContext {
  readonly code: number;
  readonly locality: number;
  /** The policy session that authorized handle i, if any (PolicySecret, ActivateCredential checks). */
  readonly authSessions: readonly (Session | undefined)[];
}

export interface HandlerInput<N extends CommandName> {
  handles: readonly number[];
  params: CommandParams<N>;
  ctx: CommandContext;
}

export interface HandlerOutput<N extends CommandName> {
  handle?: number;
  response: CommandResponse<N>;
}

export type Handler<N extends CommandName> = (tpm: Tpm, input: HandlerInput<N>) => HandlerOutput<N>;

export interface CommandEntry {
  def: CommandDef;
  handler: (tpm: Tpm, input: HandlerInput<CommandName>) => HandlerOutput<CommandName>;
  /** The command changes NV state: persist before responding. */
  writesNv: boolean;
}

/** Declares the handler of a Part 3 command. */
export function defineCommand<N extends CommandName>(
  name: N,
  handler: Handler<N>,
  opts: { writesNv?: boolean } = {},
): CommandEntry {
  return {
    def: COMMANDS[name],
    handler: handler,
    writesNv: opts.writesNv ?? false,
  };
}

/** A response code that refers to handle `n` (1-based). */
export function handleError(rc: number, n: number): TpmError {
  return new TpmError(rc).at("handle", n);
}

/** A response code that refers to parameter `n` (1-based). */
export function paramError(rc: number, n: number): TpmError {
  return new TpmError(rc).at("parameter", n);
}

/** Empty response for commands that return no parameters. */
export const NO_RESPONSE = { response: {} } as const;
