/** Regenerates the README sections generated from code (`npm run docs`). */
import { readFile, writeFile } from "node:fs/promises";
import { renderErrorTable } from "../protocol/index.js";

const README = new URL("../README.md", import.meta.url);
const START = "<!-- errors:start -->";
const END = "<!-- errors:end -->";

const text = await readFile(README, "utf8");
const from = text.indexOf(START);
const to = text.indexOf(END);
if (from < 0 || to < from) throw new Error(`README has no ${START} … ${END} section`);
await writeFile(README, text.slice(0, from + START.length) + "\n" + renderErrorTable() + "\n" + text.slice(to));
