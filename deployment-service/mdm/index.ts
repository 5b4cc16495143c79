export * from "./enrollment/index.js";
