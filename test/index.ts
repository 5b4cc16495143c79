/** What benchmarks reuse from the test tree: the fuzzer (bench/fuzz.ts is its long run). */
export { abuseFrames, type AbuseResult, type Protocol } from "./fuzz/frame-abuse.js";
export { Fuzzer, type FuzzFailure, type FuzzOptions, type FuzzStats, type FuzzTarget, type TransportReply } from "./fuzz/fuzzer.js";
export { InternalErrorCapture } from "./fuzz/log-capture.js";
export { formatFailures, formatSummary } from "./fuzz/report.js";
export { Rng, fuzzSeed } from "./fuzz/rng.js";
export { mssimTarget, swtpmTarget } from "./fuzz/socket-client.js";
export { FUZZ_TPM_SEED, inProcessTarget } from "./fuzz/targets.js";
