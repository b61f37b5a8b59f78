import { LogPushTarget } from "./alloy-values";
import { ContainerId, ContainerResources, ContainerSlot, toK8s } from "../kit";

export interface PromtailValuesArgs {
  target: LogPushTarget;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
}

/**
 * Values for the Promtail chart (deprecated upstream; kept for clusters that still run it). It
 * tails the node's /var/log/pods through host paths and pushes to the same gateway as Alloy.
 */
export function promtailValues(args: PromtailValuesArgs): Record<string, unknown> {
  const { target } = args;
  return {
    config: {
      clients: [
        { url: target.url, ...(target.tenantId !== undefined ? { tenant_id: target.tenantId } : {}) },
      ],
    },
    resources: toK8s(args.resources.promtail),
  };
}

/** Every container the Promtail chart runs with these values: one pod per node. */
export const PROMTAIL_CONTAINERS: readonly ContainerSlot[] = [
  { container: "promtail", resources: "resources", runs: "node" },
];
