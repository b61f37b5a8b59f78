import type * as pulumi from "@pulumi/pulumi";
import {
  isTrue,
  COMPONENT_LABEL,
  DeclareContext,
  Flow,
  flowList,
  INSTANCE_LABEL,
  NAME_LABEL,
  NamespaceNames,
  NamespaceSpec,
  OwnedNamespace,
  Part,
  PartReadContext,
  PlatformConfig,
  PodGroup,
  PodGroupsView,
  secretString,
  STACK_NAMESPACE_NAMES,
  tcp,
} from "../kit";
import { TRACING_CHARTS } from "./charts";
import {
  readTracing,
  TRACING_ES_PASSWORD_DECLARATION,
  TRACING_ES_PASSWORD_KEY,
  TRACING_KEY,
  TracingConfig,
} from "./config";
import { jaegerDatasource } from "./datasources";
import { ES_CA_KEY, ES_CA_SECRET, JAEGER_PORTS, JAEGER_SELECTOR, JAEGER_SERVICE } from "./jaeger-values";
import { COLLECTOR_SELECTOR } from "./otel-collector-values";
import { OTLP_PORTS } from "./otlp-service";
import { TRACING_SIZING } from "./sizing";
import { Tracing } from "./tracing";

/** The config keys the tracing part reads. */
export interface TracingSlice {
  tracing: TracingConfig;
}

/** What the tracing part reads of the stack config. */
export type TracingView = TracingSlice & PlatformConfig & { elastic: { enabled: boolean } };

/** Which of the tracing part's pieces run. */
export interface TracingRuns {
  tracing: boolean;
  jaeger: boolean;
  /** The OpenTelemetry Collector gateway. */
  collector: boolean;
  /** Jaeger writes to the stack's own Elasticsearch (its user, role and CA copy come from the search part). */
  jaegerOnStackElasticsearch: boolean;
}

/** The collector gateway's own metrics port. */
const COLLECTOR_METRICS_PORT = 8888;

/** The pods of the tracing part that receive traffic. */
function tracingPodGroups(ns: NamespaceNames) {
  return {
    jaeger: { name: "jaeger", namespace: ns.tracing, labels: { ...JAEGER_SELECTOR } },
    jaegerMaintenance: {
      name: "jaeger-es-maintenance",
      namespace: ns.tracing,
      labels: {
        [NAME_LABEL]: JAEGER_SELECTOR["app.kubernetes.io/name"],
        [INSTANCE_LABEL]: JAEGER_SELECTOR["app.kubernetes.io/instance"],
      },
      oneOf: { key: COMPONENT_LABEL, values: ["es-index-cleaner", "es-rollover", "es-lookback"] },
    },
    collector: { name: "otel-gateway", namespace: ns.tracing, labels: { ...COLLECTOR_SELECTOR } },
  } satisfies Record<string, PodGroup>;
}

/** Applications in any namespace send OTLP to the tracing namespace; Prometheus and Grafana read Jaeger. */
function tracingFlows(
  _config: unknown,
  runs: TracingRuns & { prometheus: boolean; grafana: boolean },
  groups: PodGroupsView,
): Flow[] {
  const { flows, add } = flowList();
  if (!runs.tracing) return flows;
  const fromProm = { pods: groups.group("prometheus") };
  const collector = groups.group("collector");
  const jaeger = groups.group("jaeger");
  const otlp = tcp(OTLP_PORTS.grpc, OTLP_PORTS.http);
  if (runs.collector) {
    add(
      { anyPod: true },
      collector,
      otlp,
      "applications in any namespace send OTLP to the collector gateway",
    );
    if (runs.prometheus)
      add(fromProm, collector, tcp(COLLECTOR_METRICS_PORT), "Prometheus scrapes the collector");
  }
  if (runs.jaeger) {
    add(
      runs.collector ? { pods: collector } : { anyPod: true },
      jaeger,
      otlp,
      runs.collector
        ? "the collector gateway exports spans to Jaeger"
        : "applications in any namespace send OTLP to Jaeger",
    );
    if (runs.prometheus) add(fromProm, jaeger, tcp(JAEGER_PORTS.metrics), "Prometheus scrapes Jaeger");
    if (runs.grafana) {
      add(
        { pods: groups.group("grafana") },
        jaeger,
        tcp(JAEGER_PORTS.query),
        "Grafana queries its Jaeger datasource",
      );
    }
  }
  return flows;
}

declare module "../kit/part" {
  interface Provided {
    /**
     * What Jaeger needs from the stack's own Elasticsearch, announced before the search part
     * declares it: Jaeger's user, its index prefix, and where to copy ECK's CA.
     */
    jaegerElasticsearchRequest?: {
      namespace: OwnedNamespace;
      username: string;
      indexPrefix: string;
      caSecret: string;
      caKey: string;
      password?: pulumi.Output<string>;
    };
  }
}

/** Announces what Jaeger needs from the stack's own Elasticsearch (the search part serves it). */
function requestElasticsearch(ctx: DeclareContext<TracingView> & { runs: TracingRuns }): void {
  const es = ctx.config.tracing.elasticsearch;
  if (!ctx.runs.jaegerOnStackElasticsearch || es === undefined) return;
  const password = secretString(ctx.secrets, TRACING_ES_PASSWORD_KEY);
  ctx.provided.jaegerElasticsearchRequest = {
    namespace: ctx.owned(ctx.ns.tracing),
    username: es.username,
    indexPrefix: es.indexPrefix,
    caSecret: ES_CA_SECRET,
    caKey: ES_CA_KEY,
    ...(password !== undefined ? { password } : {}),
  };
}

function declareTracing(ctx: DeclareContext<TracingView> & { runs: TracingRuns }): void {
  if (!ctx.runs.tracing) return;
  const { provided } = ctx;
  const password = secretString(ctx.secrets, TRACING_ES_PASSWORD_KEY);
  const stackEs = provided.jaegerElasticsearch;
  const tracing = new Tracing(
    `${ctx.name}-tracing`,
    {
      namespace: ctx.owned(ctx.ns.tracing),
      config: ctx.config,
      ...(provided.monitoringCrds !== undefined ? { monitoringCrds: provided.monitoringCrds } : {}),
      ...(password !== undefined ? { elasticsearchPassword: password } : {}),
      ...(stackEs !== undefined
        ? {
            elasticsearchPassword: stackEs.password,
            stackElasticsearch: { url: stackEs.url, replicas: stackEs.replicas, ready: stackEs.ready },
          }
        : {}),
    },
    { parent: ctx.parent },
  );
  if (tracing.jaeger !== undefined) (provided.datasourceBackends ??= []).push(tracing.jaeger.release);
  ctx.endpoints["tracing"] = tracing.endpoints;
}

/** Jaeger and the OpenTelemetry Collector gateway. */
export const tracingPart = {
  name: "tracing",
  charts: TRACING_CHARTS,
  sizing: TRACING_SIZING,
  outputs: ["tracing"],
  config: {
    keys: { tracing: TRACING_KEY, [TRACING_ES_PASSWORD_KEY]: TRACING_ES_PASSWORD_DECLARATION },
    secretKeys: [TRACING_ES_PASSWORD_KEY],
    read(ctx: PartReadContext): TracingSlice {
      // With the stack's own Elasticsearch, Jaeger writes there unless the stack file says otherwise.
      const elasticRaw = ctx.raw["elastic"] as { enabled?: unknown } | undefined;
      const elasticOn = isTrue(elasticRaw?.enabled);
      return { tracing: readTracing(ctx.at("tracing"), ctx.sizing, ctx.problems, elasticOn) };
    },
    check(config: TracingView, ctx: PartReadContext): void {
      const { tracing } = config;
      if (
        tracing.enabled &&
        tracing.jaeger.enabled &&
        tracing.storage === "elasticsearch" &&
        tracing.elasticsearch?.cluster !== "stack" &&
        !ctx.secretKeys.has(TRACING_ES_PASSWORD_KEY)
      ) {
        ctx.problems.push({
          path: TRACING_ES_PASSWORD_KEY,
          problem: "is required when tracing.storage is elasticsearch",
          fix: `set the password of tracing.elasticsearch.username with \`pulumi config set --secret ${TRACING_ES_PASSWORD_KEY} <password>\``,
        });
      }
      const writesToElasticsearch =
        tracing.enabled && tracing.jaeger.enabled && tracing.storage === "elasticsearch";
      if (!writesToElasticsearch && ctx.secretKeys.has(TRACING_ES_PASSWORD_KEY)) {
        ctx.problems.push({
          path: TRACING_ES_PASSWORD_KEY,
          problem: `is set, but Jaeger writes no spans to Elasticsearch (tracing.storage is ${tracing.storage}${tracing.enabled && tracing.jaeger.enabled ? "" : ", and Jaeger is off"}), so nothing uses it`,
          fix: `remove it with \`pulumi config rm ${TRACING_ES_PASSWORD_KEY}\`, or set \`pulumi config set --path tracing.storage elasticsearch\``,
        });
      }
    },
  },
  runs(config: TracingView): TracingRuns {
    const { tracing } = config;
    return {
      tracing: tracing.enabled,
      jaeger: tracing.enabled && tracing.jaeger.enabled,
      collector: tracing.enabled && tracing.collector.enabled,
      jaegerOnStackElasticsearch:
        tracing.enabled &&
        tracing.jaeger.enabled &&
        config.elastic.enabled &&
        tracing.elasticsearch?.cluster === "stack",
    };
  },
  namespaces(_config: unknown, runs: TracingRuns): NamespaceSpec[] {
    // Jaeger and the collector gateway run as non-root with no capabilities; Badger keeps data here.
    return runs.tracing
      ? [
          {
            name: STACK_NAMESPACE_NAMES.tracing,
            domain: "tracing",
            podSecurity: "restricted",
            holdsData: true,
          },
        ]
      : [];
  },
  podGroups: tracingPodGroups,
  flows: tracingFlows,
  datasources(_config: unknown, runs: TracingRuns & { grafana: boolean }, ns: NamespaceNames) {
    // Spans link to their logs in Loki (pruned when Loki is off) and to metrics.
    return runs.grafana && runs.jaeger
      ? {
          byProgram: [
            jaegerDatasource({
              url: `http://${JAEGER_SERVICE}.${ns.tracing}.svc:${JAEGER_PORTS.query}`,
              lokiEnabled: true,
            }),
          ],
        }
      : {};
  },
  // After Elasticsearch: Jaeger writes to it when it runs, after its user and CA exist.
  declare: [
    // Before the search part declares Elasticsearch, which serves the request.
    { order: 65, declare: requestElasticsearch },
    { order: 80, declare: declareTracing },
  ],
} satisfies Part<TracingSlice, TracingRuns, TracingView>;
