/**
 * The registry: every part of the stack, in the order the stack lists them (config reading, the
 * namespaces, the flows, Grafana's datasources, the containers in the docs). A new part is a new
 * folder that exports one `Part` from its index.ts, and one line here.
 */
import { alertingPart } from "./alerting";
import { frontDoorPart } from "./front-door";
import { grafanaPart } from "./grafana";
import { loggingPart } from "./logging";
import { meshPart } from "./mesh";
import { monitoringPart } from "./monitoring";
import { searchPart } from "./search";
import { signalsPart } from "./signals";
import { signOnPart } from "./sign-on";
import { tracingPart } from "./tracing";

export const PARTS = [
  monitoringPart,
  grafanaPart,
  alertingPart,
  loggingPart,
  tracingPart,
  meshPart,
  searchPart,
  frontDoorPart,
  signOnPart,
  signalsPart,
] as const;
