import { ContainerId, ContainerResources, ContainerSlot, toK8s } from "../kit";
import { MetricsServerConfig } from "./config";

export interface MetricsServerValuesArgs {
  metricsServer: MetricsServerConfig;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
}

/** Values for metrics-server (keys checked in ../shared/docs/charts.md). */
export function metricsServerValues(args: MetricsServerValuesArgs): Record<string, unknown> {
  const { metricsServer } = args;
  return {
    replicas: metricsServer.replicas,
    // Appended after the chart's defaultArgs, which stay as they are.
    args: metricsServer.kubeletInsecureTls ? ["--kubelet-insecure-tls"] : [],
    resources: toK8s(args.resources.metricsServer),
    podDisruptionBudget: metricsServer.replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
  };
}

export const METRICS_SERVER_CONTAINERS: readonly ContainerSlot[] = [
  { container: "metrics-server", resources: "resources", replicas: "replicas" },
];
