import { ELASTICSEARCH_DATASOURCE_UID } from "../grafana";
import {
  DeclareContext,
  Flow,
  flowList,
  NAME_LABEL,
  INSTANCE_LABEL,
  NamespaceNames,
  NamespaceSpec,
  Part,
  PartReadContext,
  PodGroup,
  PodGroupsView,
  secretString,
  STACK_NAMESPACE_NAMES,
  tcp,
} from "../kit";
import { SEARCH_CHARTS } from "./charts";
import { ELASTIC_KEY, ElasticConfig, GRAFANA_ES_PASSWORD_KEY, nodesWith, readElastic } from "./config";
import { ECK_RELEASE, ElasticStack, ElasticStackArgs, JaegerElasticsearchAccess } from "./elastic-stack";
import { ELASTICSEARCH_NAME, KIBANA_NAME } from "./elasticsearch";
import { FILEBEAT_NAME } from "./filebeat";
import { SEARCH_SIZING } from "./sizing";

/** The config keys the search part reads. */
export interface SearchSlice {
  /** ECK, Elasticsearch, Kibana and Filebeat (components/search/config.ts). Off by default. */
  elastic: ElasticConfig;
}

/** What the search part reads of the stack config. */
export type SearchView = SearchSlice & ElasticStackArgs["config"] & { sizing: string };

/** Which of the search part's pieces run. */
export interface SearchRuns {
  elastic: boolean;
}

/** The secret key of Grafana's own Elasticsearch user's password. */
const GRAFANA_ES_PASSWORD = "grafanaElasticsearchPassword";
/** Elasticsearch's HTTP and transport ports, and ECK's webhook. */
const ES_HTTP_PORT = 9200;
const ES_TRANSPORT_PORT = 9300;
const ECK_WEBHOOK_PORT = 9443;

declare module "../kit/part" {
  interface Provided {
    /** Jaeger's access to the stack's own Elasticsearch, once the search part has declared it. */
    jaegerElasticsearch?: JaegerElasticsearchAccess;
  }
}

/** The pods of the search part that receive traffic. */
function searchPodGroups(ns: NamespaceNames) {
  return {
    eckOperator: {
      name: "eck-operator",
      namespace: ns.elasticSystem,
      labels: { [NAME_LABEL]: "elastic-operator", [INSTANCE_LABEL]: ECK_RELEASE },
    },
    elasticsearch: {
      name: "elasticsearch",
      namespace: ns.search,
      labels: { "elasticsearch.k8s.elastic.co/cluster-name": ELASTICSEARCH_NAME },
    },
    kibana: { name: "kibana", namespace: ns.search, labels: { "kibana.k8s.elastic.co/name": KIBANA_NAME } },
    filebeat: {
      name: "filebeat",
      namespace: ns.search,
      labels: { "beat.k8s.elastic.co/name": FILEBEAT_NAME },
    },
    ilmJob: {
      name: "elasticsearch-ilm",
      namespace: ns.search,
      labels: { [NAME_LABEL]: "elasticsearch-ilm" },
    },
  } satisfies Record<string, PodGroup>;
}

/** Kibana, Filebeat, the lifecycle Job, the operator, Grafana and Jaeger reach Elasticsearch. */
function searchFlows(
  _config: unknown,
  runs: SearchRuns & { grafana: boolean; jaegerOnStackElasticsearch: boolean },
  groups: PodGroupsView,
): Flow[] {
  const { flows, add } = flowList();
  if (!runs.elastic) return flows;
  const g = (key: string) => groups.group(key);
  const es = g("elasticsearch");
  const api = tcp(ES_HTTP_PORT);
  add(
    { anywhere: true },
    g("eckOperator"),
    tcp(ECK_WEBHOOK_PORT),
    "the API server calls ECK's validating webhook",
  );
  add({ pods: g("eckOperator") }, es, api, "the ECK operator manages the cluster through its API");
  add(
    { pods: es },
    es,
    tcp(ES_HTTP_PORT, ES_TRANSPORT_PORT),
    "Elasticsearch nodes talk to each other (transport) and to their own API",
  );
  add({ pods: g("kibana") }, es, api, "Kibana reads and writes Elasticsearch");
  add({ pods: g("filebeat") }, es, api, "Filebeat ships logs to Elasticsearch");
  add({ pods: g("ilmJob") }, es, api, "the lifecycle Job applies the ILM policy and index template");
  if (runs.grafana) add({ pods: g("grafana") }, es, api, "Grafana queries its Elasticsearch datasource");
  if (runs.jaegerOnStackElasticsearch) {
    add({ pods: g("jaeger") }, es, api, "Jaeger stores spans in Elasticsearch");
    add({ pods: g("jaegerMaintenance") }, es, api, "Jaeger's index cleaner drops indices past the retention");
  }
  return flows;
}

function declareSearch(ctx: DeclareContext<SearchView> & { runs: SearchRuns & { grafana: boolean } }): void {
  if (!ctx.runs.elastic) return;
  const password = secretString(ctx.secrets, GRAFANA_ES_PASSWORD);
  const jaeger = ctx.provided.jaegerElasticsearchRequest;
  const elastic = new ElasticStack(
    `${ctx.name}-elastic`,
    {
      operatorNamespace: ctx.owned(ctx.ns.elasticSystem),
      namespace: ctx.owned(ctx.ns.search),
      ...(ctx.runs.grafana ? { grafanaNamespace: ctx.owned(ctx.ns.monitoring) } : {}),
      ...(password !== undefined ? { grafanaReaderPassword: password } : {}),
      ...(jaeger !== undefined ? { jaeger } : {}),
      config: ctx.config,
    },
    { parent: ctx.parent },
  );
  if (elastic.jaeger !== undefined) ctx.provided.jaegerElasticsearch = elastic.jaeger;
  const e = elastic.endpoints;
  ctx.endpoints["elastic"] = e;
  // Reads the `elastic` user's password from ECK's Secret; log in to Kibana with it.
  ctx.endpoints["elasticPasswordCommand"] =
    `kubectl -n ${e.namespace} get secret ${e.elasticsearch.elasticUserSecret.name} -o jsonpath='{.data.${e.elasticsearch.elasticUserSecret.key}}' | base64 -d`;
}

/** ECK, Elasticsearch, Kibana and Filebeat. */
export const searchPart = {
  name: "search",
  charts: SEARCH_CHARTS,
  sizing: SEARCH_SIZING,
  outputs: ["elastic", "elasticPasswordCommand"],
  config: {
    keys: { elastic: ELASTIC_KEY, [GRAFANA_ES_PASSWORD]: GRAFANA_ES_PASSWORD_KEY },
    secretKeys: [GRAFANA_ES_PASSWORD],
    read(ctx: PartReadContext): SearchSlice {
      return { elastic: readElastic(ctx.at("elastic")) };
    },
    check(config: SearchView, ctx: PartReadContext): void {
      if (!config.elastic.enabled && ctx.secretKeys.has(GRAFANA_ES_PASSWORD)) {
        ctx.problems.push({
          path: GRAFANA_ES_PASSWORD,
          problem:
            "is set, but elastic.enabled is false, so there is no Elasticsearch user for Grafana to use it",
          fix: `remove it with \`pulumi config rm ${GRAFANA_ES_PASSWORD}\`, or set \`pulumi config set --path elastic.enabled true\``,
        });
      }
    },
  },
  runs(config: SearchSlice): SearchRuns {
    return { elastic: config.elastic.enabled };
  },
  /** Two master-eligible nodes: losing either one loses the quorum, so two are less available than one. */
  warnings(config: SearchSlice & { sizing: string }, runs: SearchRuns): string[] {
    if (!runs.elastic || config.sizing !== "production") return [];
    if (nodesWith(config.elastic.nodeSets, "master") !== 2) return [];
    return [
      "elastic.nodeSets: has exactly 2 master-eligible nodes on a production-sized stack; electing a master needs a majority, so losing either node stops the cluster; " +
        "make it 3, e.g. `pulumi config set --path 'elastic.nodeSets[0].count' 3`, or give a third node the master role",
    ];
  },
  namespaces(_config: unknown, runs: SearchRuns): NamespaceSpec[] {
    if (!runs.elastic) return [];
    return [
      // The ECK operator's pod meets the restricted level.
      { name: STACK_NAMESPACE_NAMES.elasticSystem, domain: "search", podSecurity: "restricted" },
      // Filebeat reads the host's container logs as root; Elasticsearch keeps its data here.
      { name: STACK_NAMESPACE_NAMES.search, domain: "search", podSecurity: "privileged", holdsData: true },
    ];
  },
  podGroups: searchPodGroups,
  flows: searchFlows,
  // The search part provisions Elasticsearch's datasource itself, in a Secret (it holds a password).
  ownDatasourceUids: (_config: unknown, runs: SearchRuns & { grafana: boolean }) =>
    runs.grafana && runs.elastic ? [ELASTICSEARCH_DATASOURCE_UID] : [],
  // Before tracing: Jaeger writes to it when it runs, after its user and CA exist.
  declare: [{ order: 70, declare: declareSearch }],
} satisfies Part<SearchSlice, SearchRuns, SearchView>;
