export { TpmFactory, type FactoryStats, type TpmOrder } from "./factory.js";
export { createFleetProgress, silentProgress, type FleetProgress } from "./progress.js";
export { formatFleetSummary, percentile, renderFleetHtml, summarizeFleet, type DeviceRecord, type DeviceStepRecord, type FleetReport } from "./report.js";
export { runFleet, type FleetOptions, type FleetResult } from "./runner.js";
export {
  DEFAULT_FLEET_SEED,
  DEFAULT_VENDOR_WEIGHTS,
  FLEET_MODES,
  FleetScenarioError,
  parseFleetFaults,
  parseFleetSeed,
  parseShard,
  parseVendorWeights,
  planFleet,
  shardOf,
  type DeviceMode,
  type DevicePlan,
  type FleetFaults,
  type FleetMode,
  type Shard,
} from "./scenario.js";
export { FLEET_GROUP_TAGS, fleetUsers, type DeviceDeploymentMode, type FleetUser } from "./deployment-setup.js";
