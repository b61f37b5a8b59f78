import { CustomResourceObject, STACK_LABELS } from "../kit";
import { ScrapeTargetConfig } from "./config";

/** The monitor's name: it lives in the monitoring namespace, so the application's namespace is in it. */
export function scrapeTargetName(t: ScrapeTargetConfig): string {
  return `signals-${t.namespace}-${t.name}`.slice(0, 253);
}

/**
 * A ServiceMonitor (kind service) or PodMonitor (kind pod) that scrapes the application in
 * `t.namespace`. It lives in Prometheus's own namespace and reaches the application through its
 * namespaceSelector, so the application's namespace need not exist before the stack, and the
 * stack never writes into a namespace it does not own.
 */
export function scrapeTargetMonitor(t: ScrapeTargetConfig, namespace: string): CustomResourceObject {
  const endpoint = { port: t.port, path: t.path, interval: t.interval, scheme: t.scheme };
  const spec: Record<string, unknown> = {
    namespaceSelector: { matchNames: [t.namespace] },
    selector: { matchLabels: { ...t.selector } },
    ...(t.kind === "service" ? { endpoints: [endpoint] } : { podMetricsEndpoints: [endpoint] }),
  };
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: t.kind === "service" ? "ServiceMonitor" : "PodMonitor",
    metadata: { name: scrapeTargetName(t), namespace, labels: { ...STACK_LABELS } },
    spec,
  };
}
