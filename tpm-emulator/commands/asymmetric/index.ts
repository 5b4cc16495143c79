import type { CommandEntry } from "../registry.js";
import { ecdhKeyGen } from "./ecdh-key-gen.js";
import { ecdhZGen } from "./ecdh-z-gen.js";
import { rsaDecrypt } from "./rsa-decrypt.js";
import { rsaEncrypt } from "./rsa-encrypt.js";
import { zGen2Phase } from "./zgen-2phase.js";

export const ENTRIES: readonly CommandEntry[] = [rsaEncrypt, rsaDecrypt, ecdhKeyGen, ecdhZGen, zGen2Phase];
