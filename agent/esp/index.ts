export { ESP_SUB_STEPS, firstSyncStatusRoot, readBehaviour, readEspView, type EspBehaviour, type EspItem, type EspItemState, type EspPhase, type EspSubStep, type EspSubStepName, type EspView, type NodeLister, type NodeReader } from "./esp-view.js";
export { runEsp, type EspOutcome, type EspResult, type RunEspOptions } from "./run-esp.js";
export { DeviceEsp, type DeviceEspOptions, type DeviceEspRun, type EspEnrollment } from "./device-esp.js";
