import { LOKI_DATASOURCE_UID, lokiTraceDerivedFields } from "../grafana";
import {
  DeclareContext,
  NamespaceNames,
  NamespaceSpec,
  Part,
  PartReadContext,
  PlatformConfig,
  portForward,
  secretString,
  STACK_NAMESPACE_NAMES,
} from "../kit";
import { LOGGING_CHARTS } from "./charts";
import {
  LOG_COLLECTOR_KEY,
  LogCollectorConfig,
  LogCollectorKind,
  LOKI_KEY,
  LOKI_S3_ACCESS_KEY_ID_KEY,
  LOKI_S3_SECRET_ACCESS_KEY_KEY,
  LOKI_S3_SECRET_KEYS,
  LokiConfig,
  lokiUnusedBucketWarnings,
  readLogCollector,
  readLoki,
} from "./config";
import { LogPushTarget } from "./alloy-values";
import { LogCollector } from "./log-collector";
import { Loki, LOKI_GATEWAY_SERVICE, lokiDatasource, lokiGatewayUrl, lokiPushUrl } from "./loki";
import { LOKI_HTTP_PORT, loggingFlows, loggingPodGroups } from "./network";
import { LOGGING_SIZING } from "./sizing";

/** The config keys the logging part reads. */
export interface LoggingSlice {
  loki: LokiConfig;
  logCollector: LogCollectorConfig;
}

/** What the logging part reads of the stack config. */
export type LoggingView = LoggingSlice & PlatformConfig;

/** Which of the logging part's pieces run. */
export interface LoggingRuns {
  loki: boolean;
  /** The log collector that runs, if any: it needs Loki. */
  logCollector?: LogCollectorKind;
}

/** Loki's address, as the part's services give it. */
export interface LokiService {
  namespace: string;
  service: string;
  portForward: string;
  url: string;
  pushUrl: string;
  tenant?: string;
}

function declareLogging(
  ctx: DeclareContext<LoggingView> & { runs: LoggingRuns & { grafana: boolean } },
): void {
  const service = ctx.services["loki"] as LokiService | undefined;
  if (service === undefined) return;
  const { provided } = ctx;
  const monitoringCrds =
    provided.monitoringCrds !== undefined ? { monitoringCrds: provided.monitoringCrds } : {};
  const accessKeyId = secretString(ctx.secrets, LOKI_S3_SECRET_KEYS.accessKeyId);
  const secretAccessKey = secretString(ctx.secrets, LOKI_S3_SECRET_KEYS.secretAccessKey);
  const namespace = ctx.owned(service.namespace);
  const loki = new Loki(
    `${ctx.name}-loki`,
    {
      namespace,
      config: ctx.config,
      ...monitoringCrds,
      ...(accessKeyId !== undefined && secretAccessKey !== undefined
        ? { s3Credentials: { accessKeyId, secretAccessKey } }
        : {}),
    },
    { parent: ctx.parent },
  );
  (provided.datasourceBackends ??= []).push(loki.release);
  ctx.endpoints["loki"] = {
    ...service,
    ...(ctx.runs.grafana ? { datasourceUid: LOKI_DATASOURCE_UID } : {}),
  };
  const kind = ctx.runs.logCollector;
  if (kind === undefined) return;
  const target: LogPushTarget = {
    url: service.pushUrl,
    ...(service.tenant !== undefined ? { tenantId: service.tenant } : {}),
  };
  const collector = new LogCollector(
    `${ctx.name}-${kind}`,
    { kind, namespace, config: ctx.config, target, loki: loki.release, ...monitoringCrds },
    { parent: ctx.parent },
  );
  ctx.endpoints["logCollector"] = { kind, release: collector.releaseName };
}

/** Loki and the log collector (Alloy or Promtail). */
export const loggingPart = {
  name: "logging",
  charts: LOGGING_CHARTS,
  sizing: LOGGING_SIZING,
  outputs: ["loki", "logCollector"],
  config: {
    keys: {
      loki: LOKI_KEY,
      logCollector: LOG_COLLECTOR_KEY,
      [LOKI_S3_SECRET_KEYS.accessKeyId]: LOKI_S3_ACCESS_KEY_ID_KEY,
      [LOKI_S3_SECRET_KEYS.secretAccessKey]: LOKI_S3_SECRET_ACCESS_KEY_KEY,
    },
    secretKeys: [LOKI_S3_SECRET_KEYS.accessKeyId, LOKI_S3_SECRET_KEYS.secretAccessKey],
    read(ctx: PartReadContext): LoggingSlice {
      const loki = readLoki(ctx.at("loki"), ctx.secretKeys, ctx.today);
      return { loki, logCollector: readLogCollector(ctx.at("logCollector"), loki.enabled) };
    },
  },
  runs(config: LoggingSlice): LoggingRuns {
    return {
      loki: config.loki.enabled,
      ...(config.loki.enabled && config.logCollector.enabled
        ? { logCollector: config.logCollector.kind }
        : {}),
    };
  },
  namespaces(_config: unknown, runs: LoggingRuns): NamespaceSpec[] {
    if (!runs.loki) return [];
    // Loki and Alloy (which reads logs through the API) need no host access; Promtail mounts the
    // node's log directories, which only the privileged level allows. Loki keeps data here.
    const podSecurity = runs.logCollector === "promtail" ? "privileged" : "baseline";
    return [{ name: STACK_NAMESPACE_NAMES.logging, domain: "logging", podSecurity, holdsData: true }];
  },
  services(config: LoggingSlice, runs: LoggingRuns, ns: NamespaceNames): { loki?: LokiService } {
    if (!runs.loki) return {};
    const logging = ns.logging;
    return {
      loki: {
        namespace: logging,
        service: LOKI_GATEWAY_SERVICE,
        portForward: portForward(logging, LOKI_GATEWAY_SERVICE, LOKI_HTTP_PORT, 80),
        url: lokiGatewayUrl(logging),
        pushUrl: lokiPushUrl(logging),
        ...(config.loki.authEnabled ? { tenant: config.loki.tenant } : {}),
      },
    };
  },
  podGroups: (ns: NamespaceNames, config: LoggingSlice) => loggingPodGroups(ns, config),
  flows: loggingFlows,
  datasources(config: LoggingSlice, runs: LoggingRuns & { grafana: boolean }, ns: NamespaceNames) {
    // A trace id in a log line links to Jaeger (pruned when Jaeger is off).
    return runs.grafana && runs.loki
      ? { byProgram: [lokiDatasource(ns.logging, config.loki, lokiTraceDerivedFields())] }
      : {};
  },
  /** Buckets the stack file names that nothing reads. */
  warnings(config: LoggingSlice): string[] {
    return config.loki.enabled ? lokiUnusedBucketWarnings(config.loki) : [];
  },
  // After Prometheus (its ServiceMonitors) and the mesh's policies.
  declare: [{ order: 60, declare: declareLogging }],
} satisfies Part<LoggingSlice, LoggingRuns, LoggingView>;
