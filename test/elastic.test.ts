import { expect } from "chai";
import { parse } from "yaml";
import { datasourceProvisioning } from "../components/grafana";
import {
  eckOperatorValues,
  elasticsearchDatasource,
  escapeProvisioningValue,
  elasticsearchManifest,
  filebeatManifest,
  ilmJobManifest,
  ilmPolicyBody,
  indexTemplateBody,
  kibanaManifest,
  logReplicas,
  readerRolesYaml,
} from "../components/search";
import { planContainers, resourceTable } from "../tools/lib/budget";
import { ProgramRun } from "../tools/lib/run-program";
import { validateCustomResource } from "./lib/crd-schema";
import { requireUpstream } from "./lib/upstream";
import { find, plan, release, releases, run, stackInput, stackRawConfig, valueOf } from "./lib/helpers";
import { StackConfig, parseStackConfig } from "../components/core";
import { totalRequests } from "../components/kit";

const ES = "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch";
const KIBANA = "kubernetes:kibana.k8s.elastic.co/v1:Kibana";
const BEAT = "kubernetes:beat.k8s.elastic.co/v1beta1:Beat";
const JOB = "kubernetes:batch/v1:Job";
const SECRET = "kubernetes:core/v1:Secret";
const ELASTIC_TYPES = [ES, KIBANA, BEAT, JOB];

/** The dev stack with Elasticsearch turned on, and prod as its stack file has it. */
function configs(): { dev: StackConfig; prod: StackConfig } {
  const devRaw = stackRawConfig("dev");
  return {
    dev: parseStackConfig({ ...devRaw, elastic: { enabled: true } }),
    prod: parseStackConfig(stackRawConfig("prod")),
  };
}

/** A builder's output as the plain JSON Kubernetes receives. */
function plain(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function at(value: unknown, dotted: string): unknown {
  let cur = value;
  for (const part of dotted.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

describe("the ECK values and custom resources", () => {
  const { dev, prod } = configs();

  it("install the operator with its CRDs, watching the search namespace, sized per stack", () => {
    expect(eckOperatorValues({ resources: dev.resources, managedNamespaces: ["search"] })).to.deep.equal({
      installCRDs: true,
      replicaCount: 1,
      managedNamespaces: ["search"],
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: null, memory: "384Mi" } },
      podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    });
    expect(
      at(
        eckOperatorValues({ resources: prod.resources, managedNamespaces: ["search"] }),
        "resources.requests",
      ),
    ).to.deep.equal({ cpu: "100m", memory: "256Mi" });
  });

  it("give dev one small every-role node on an emptyDir, without mmap", () => {
    const es = elasticsearchManifest({ elastic: dev.elastic, namespace: "search", resources: dev.resources });
    expect(es.spec["version"]).to.equal("9.5.0");
    expect(es.spec["nodeSets"]).to.deep.equal([
      {
        name: "default",
        count: 1,
        config: { "node.store.allow_mmap": false },
        podTemplate: {
          metadata: { labels: { "app.kubernetes.io/part-of": "observability-stack" } },
          spec: {
            containers: [
              {
                name: "elasticsearch",
                resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } },
              },
            ],
            volumes: [{ name: "elasticsearch-data", emptyDir: {} }],
          },
        },
      },
    ]);
    expect(es.spec["auth"]).to.equal(undefined);
  });

  it("give prod dedicated masters and hot and warm tiers, each with an elasticsearch-data claim", () => {
    const es = elasticsearchManifest({
      elastic: prod.elastic,
      namespace: "search",
      storageClass: "fast-ssd",
      resources: prod.resources,
      auth: { fileRealm: ["grafana-elasticsearch-user"], roles: ["elasticsearch-roles"] },
    });
    const sets = es.spec["nodeSets"] as Record<string, unknown>[];
    expect(sets.map((s) => [s["name"], s["count"], at(s, "config")])).to.deep.equal([
      ["master", 3, { "node.roles": ["master"], "node.store.allow_mmap": false }],
      ["hot", 2, { "node.roles": ["data_hot", "data_content", "ingest"], "node.store.allow_mmap": false }],
      ["warm", 2, { "node.roles": ["data_warm"], "node.store.allow_mmap": false }],
    ]);
    const mmap = elasticsearchManifest({
      elastic: { ...prod.elastic, allowMmap: true },
      namespace: "search",
      resources: prod.resources,
    });
    expect(at(mmap.spec, "nodeSets.0.config")).to.deep.equal({ "node.roles": ["master"] });
    expect(sets.map((s) => at(s, "podTemplate.spec.containers.0.resources"))).to.deep.equal([
      { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "2Gi" } },
      { requests: { cpu: "2", memory: "8Gi" }, limits: { memory: "8Gi" } },
      { requests: { cpu: "2", memory: "8Gi" }, limits: { memory: "8Gi" } },
    ]);
    expect(sets[1]?.["volumeClaimTemplates"]).to.deep.equal([
      {
        metadata: { name: "elasticsearch-data" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: "fast-ssd",
          resources: { requests: { storage: "200Gi" } },
        },
      },
    ]);
    expect(sets.map((s) => at(s, "podTemplate.spec.volumes"))).to.deep.equal([
      undefined,
      undefined,
      undefined,
    ]);
    expect(es.spec["auth"]).to.deep.equal({
      fileRealm: [{ secretName: "grafana-elasticsearch-user" }],
      roles: [{ secretName: "elasticsearch-roles" }],
    });
    expect(es.metadata.annotations).to.deep.equal({ "pulumi.com/waitFor": "jsonpath={.status.phase}=Ready" });
  });

  it("connect Kibana and Filebeat to the cluster through elasticsearchRef, sized per stack", () => {
    const kb = kibanaManifest({ elastic: prod.elastic, namespace: "search", resources: prod.resources });
    expect(kb.spec["elasticsearchRef"]).to.deep.equal({ name: "elasticsearch" });
    expect(kb.spec["count"]).to.equal(2);
    expect(at(kb.spec, "podTemplate.spec.containers.0")).to.deep.equal({
      name: "kibana",
      resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "2Gi" } },
    });
    const fb = filebeatManifest({ elastic: dev.elastic, namespace: "search", resources: dev.resources });
    expect(fb.spec["type"]).to.equal("filebeat");
    expect(fb.spec["elasticsearchRef"]).to.deep.equal({ name: "elasticsearch" });
    expect(at(fb.spec, "daemonSet.podTemplate.spec.containers.0.resources")).to.deep.equal({
      requests: { cpu: "20m", memory: "100Mi" },
      limits: { memory: "200Mi" },
    });
  });

  it("ship every container's log from the host with Kubernetes metadata into the log data stream", () => {
    const fb = filebeatManifest({ elastic: dev.elastic, namespace: "search", resources: dev.resources });
    const pod = at(fb.spec, "daemonSet.podTemplate.spec") as Record<string, unknown>;
    expect(pod["serviceAccountName"]).to.equal("filebeat");
    expect(pod["volumes"]).to.deep.equal([
      { name: "varlogcontainers", hostPath: { path: "/var/log/containers" } },
      { name: "varlogpods", hostPath: { path: "/var/log/pods" } },
    ]);
    expect(at(pod, "containers.0.volumeMounts")).to.deep.equal([
      { name: "varlogcontainers", mountPath: "/var/log/containers", readOnly: true },
      { name: "varlogpods", mountPath: "/var/log/pods", readOnly: true },
    ]);
    const config = fb.spec["config"] as Record<string, unknown>;
    expect(at(config, "filebeat.inputs.0.processors.0.add_kubernetes_metadata")).to.deep.equal({
      host: "${NODE_NAME}",
      matchers: [{ logs_path: { logs_path: "/var/log/containers/" } }],
    });
    expect(at(config, "filebeat.inputs.0.paths")).to.deep.equal(["/var/log/containers/*.log"]);
    expect(config["output"]).to.deep.equal({ elasticsearch: { index: "logs-kubernetes-default" } });
    // The lifecycle Job owns the template and the policy; Filebeat must not install its own.
    expect(config["setup"]).to.deep.equal({ template: { enabled: false }, ilm: { enabled: false } });
  });

  it("validate against the ECK 3.5.0 CRD schemas, in dev and prod", function () {
    requireUpstream(this, "crds");
    for (const cfg of [dev, prod]) {
      const args = { elastic: cfg.elastic, namespace: "search", resources: cfg.resources };
      for (const manifest of [
        elasticsearchManifest({
          ...args,
          storageClass: "standard",
          auth: { fileRealm: ["u"], roles: ["r"] },
        }),
        elasticsearchManifest(args),
        kibanaManifest(args),
        filebeatManifest(args),
      ]) {
        expect(validateCustomResource(plain(manifest)), `${cfg.sizing} ${manifest.kind}`).to.deep.equal([]);
      }
    }
  });
});

describe("the index lifecycle", () => {
  const { dev, prod } = configs();

  it("rolls over by age and shard size, forcemerges when warm, deletes, and keeps indices off a warm tier that does not exist", () => {
    expect(ilmPolicyBody(dev.elastic.ilm, dev.elastic.hotWarm)).to.deep.equal({
      policy: {
        _meta: { managed_by: "observability-stack (Pulumi)" },
        phases: {
          hot: {
            min_age: "0ms",
            actions: {
              rollover: { max_age: "1d", max_primary_shard_size: "50gb" },
              set_priority: { priority: 100 },
            },
          },
          warm: {
            min_age: "7d",
            actions: {
              set_priority: { priority: 50 },
              forcemerge: { max_num_segments: 1 },
              migrate: { enabled: false },
            },
          },
          delete: { min_age: "30d", actions: { delete: {} } },
        },
      },
    });
  });

  it("moves indices to the warm tier in a hot-warm cluster (ILM's own migrate)", () => {
    expect(
      at(ilmPolicyBody(prod.elastic.ilm, prod.elastic.hotWarm), "policy.phases.warm.actions"),
    ).to.deep.equal({
      set_priority: { priority: 50 },
      forcemerge: { max_num_segments: 1 },
    });
  });

  it("takes every phase from config", () => {
    const cfg = parseStackConfig({
      ...stackRawConfig("dev"),
      elastic: {
        enabled: true,
        ilm: {
          rolloverMaxAge: "12h",
          rolloverMaxPrimaryShardSize: "10gb",
          warmAfter: "2d",
          deleteAfter: "14d",
        },
      },
    });
    const phases = at(ilmPolicyBody(cfg.elastic.ilm, false), "policy.phases") as Record<string, unknown>;
    expect(at(phases, "hot.actions.rollover")).to.deep.equal({
      max_age: "12h",
      max_primary_shard_size: "10gb",
    });
    expect(at(phases, "warm.min_age")).to.equal("2d");
    expect(at(phases, "delete.min_age")).to.equal("14d");
  });

  it("applies the policy to the log data stream through an index template above the built-in logs one", () => {
    expect(indexTemplateBody(dev.elastic)).to.deep.equal({
      index_patterns: ["logs-kubernetes-*"],
      data_stream: {},
      priority: 200,
      composed_of: ["ecs@mappings"],
      ignore_missing_component_templates: ["ecs@mappings"],
      template: { settings: { "index.lifecycle.name": "logs-kubernetes", "index.number_of_replicas": 0 } },
      _meta: { managed_by: "observability-stack (Pulumi)" },
    });
    expect(
      (at(indexTemplateBody(prod.elastic), "template.settings") as Record<string, unknown>)[
        "index.number_of_replicas"
      ],
    ).to.equal(1);
  });

  it("asks for a replica only where every data tier has two nodes to hold one", () => {
    expect(logReplicas({ hotWarm: false, nodeSets: [{ name: "a", count: 1 }] })).to.equal(0);
    expect(logReplicas({ hotWarm: false, nodeSets: [{ name: "a", count: 3 }] })).to.equal(1);
    expect(
      logReplicas({
        hotWarm: false,
        nodeSets: [
          { name: "m", count: 3, roles: ["master"] },
          { name: "d", count: 1, roles: ["data_content", "data_hot"] },
        ],
      }),
    ).to.equal(0);
    expect(
      logReplicas({
        hotWarm: true,
        nodeSets: [
          { name: "hot", count: 2, roles: ["master", "data_hot", "data_content"] },
          { name: "warm", count: 1, roles: ["data_warm"] },
        ],
      }),
    ).to.equal(0);
  });

  describe("Job", () => {
    const job = plain(
      ilmJobManifest({ elastic: dev.elastic, namespace: "search", resources: dev.resources }),
    );
    const container = at(job, "spec.template.spec.containers.0") as Record<string, unknown>;
    const env = Object.fromEntries(
      (container["env"] as { name: string; value?: string; valueFrom?: unknown }[]).map((e) => [
        e.name,
        e.value ?? e.valueFrom,
      ]),
    );

    it("PUTs the policy and the template built from config, as the elastic user, over verified TLS", () => {
      expect(env["ES_URL"]).to.equal("https://elasticsearch-es-http:9200");
      expect(env["ES_PASSWORD"]).to.deep.equal({
        secretKeyRef: { name: "elasticsearch-es-elastic-user", key: "elastic" },
      });
      expect(env["POLICY_NAME"]).to.equal("logs-kubernetes");
      expect(JSON.parse(String(env["POLICY"]))).to.deep.equal(ilmPolicyBody(dev.elastic.ilm, false));
      expect(env["TEMPLATE_NAME"]).to.equal("logs-kubernetes");
      expect(JSON.parse(String(env["TEMPLATE"]))).to.deep.equal(indexTemplateBody(dev.elastic));
      const script = (container["command"] as string[])[2] ?? "";
      expect(container["command"]).to.deep.equal(["/bin/bash", "-c", script]);
      expect(script).to.include('--request PUT "$ES_URL/_ilm/policy/$POLICY_NAME" --data "$POLICY"');
      expect(script).to.include('--request PUT "$ES_URL/_index_template/$TEMPLATE_NAME" --data "$TEMPLATE"');
      expect(script).to.include("--cacert /etc/elasticsearch-ca/ca.crt");
      // The password never reaches a command line.
      expect(script).not.to.match(/-u |--user /);
      expect(at(job, "spec.template.spec.volumes")).to.deep.equal([
        { name: "ca", secret: { secretName: "elasticsearch-es-http-certs-public" } },
        { name: "tmp", emptyDir: {} },
      ]);
      expect(container["image"]).to.equal("docker.elastic.co/elasticsearch/elasticsearch:9.5.0");
    });

    it("has requests and a memory limit, and a bounded run", () => {
      expect(container["resources"]).to.deep.equal({
        requests: { cpu: "10m", memory: "32Mi" },
        limits: { memory: "64Mi" },
      });
      expect(at(job, "spec.backoffLimit")).to.equal(3);
      expect(at(job, "spec.activeDeadlineSeconds")).to.equal(1800);
    });

    it("is named after a hash of what it applies: the same config is the same Job, a new policy a new one", () => {
      const name = String(at(job, "metadata.name"));
      expect(name).to.match(/^elasticsearch-ilm-[0-9a-f]{10}$/);
      const again = ilmJobManifest({ elastic: dev.elastic, namespace: "search", resources: dev.resources });
      expect(at(plain(again), "metadata.name")).to.equal(name);
      const longer = { ...dev.elastic, ilm: { ...dev.elastic.ilm, deleteAfter: "60d" } };
      const changed = ilmJobManifest({ elastic: longer, namespace: "search", resources: dev.resources });
      expect(at(plain(changed), "metadata.name")).to.not.equal(name);
      expect(at(plain(changed), "metadata.name")).to.match(/^elasticsearch-ilm-[0-9a-f]{10}$/);
    });
  });
});

describe("Grafana's Elasticsearch datasource", () => {
  it("reads the log data stream as its own user, the password only in secureJsonData", () => {
    expect(parse(datasourceProvisioning([elasticsearchDatasource("search", "s3cret")]))).to.deep.equal({
      apiVersion: 1,
      datasources: [
        {
          name: "Elasticsearch (logs)",
          type: "elasticsearch",
          uid: "elasticsearch",
          access: "proxy",
          url: "https://elasticsearch-es-http.search.svc:9200",
          isDefault: false,
          editable: false,
          basicAuth: true,
          basicAuthUser: "grafana-reader",
          jsonData: {
            index: "logs-kubernetes-*",
            timeField: "@timestamp",
            logMessageField: "message",
            tlsAuthWithCACert: true,
          },
          secureJsonData: {
            basicAuthPassword: "s3cret",
            tlsCACert: "$__file{/etc/grafana/provisioning/datasources/elasticsearch-ca.crt}",
          },
        },
      ],
    });
  });

  it("hands Grafana a password with a `$` as written: `$$` is Grafana's escape for one `$`", () => {
    const ds = elasticsearchDatasource("search", "a$b$$c${HOME}");
    expect(ds.secureJsonData?.["basicAuthPassword"]).to.equal("a$$b$$$$c$${HOME}");
    // Grafana's own expansion (pkg/services/provisioning/values): split on `$$`, expand, join with `$`.
    const grafanaReads = (v: string) =>
      v
        .split("$$")
        .map((part) => part.replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, "EXPANDED"))
        .join("$");
    expect(grafanaReads(escapeProvisioningValue("a$b$$c${HOME}"))).to.equal("a$b$$c${HOME}");
    expect(grafanaReads("a$b")).to.not.equal("a$b");
  });

  it("comes with a role that can read the log indices and nothing else", () => {
    expect(parse(readerRolesYaml())).to.deep.equal({
      grafana_logs_reader: {
        cluster: ["monitor"],
        indices: [{ names: ["logs-kubernetes-*"], privileges: ["read", "view_index_metadata"] }],
      },
    });
  });
});

describe("the ELK part under mocks", () => {
  let off: ProgramRun;
  let dev: ProgramRun;
  let prod: ProgramRun;

  before(async () => {
    off = await run(stackInput("dev"));
    dev = await run(stackInput("dev", { elastic: { enabled: true } }));
    prod = await run(stackInput("prod"));
  });

  it("declares nothing when it is off", () => {
    expect(
      off.resources.filter((r) => ELASTIC_TYPES.includes(r.type) || r.type.includes("search")),
    ).to.deep.equal([]);
    expect(releases(off.resources).map((r) => r.name)).not.to.include("eck-operator");
    expect(off.resources.filter((r) => /elastic|filebeat|search/.test(r.name))).to.deep.equal([]);
    expect(off.outputs["namespaces"]).to.deep.equal([
      "monitoring",
      "logging",
      "tracing",
      "istio-system",
      "istio-ingress",
      "cert-manager",
    ]);
    expect(off.outputs["elastic"]).to.equal(null);
    expect(off.outputs["elasticPasswordCommand"]).to.equal(null);
  });

  it("installs the operator first and every custom resource after it", () => {
    for (const r of [dev, prod]) {
      const operator = release(r.resources, "eck-operator");
      expect(operator.dependsOn).to.deep.equal(["ns-elastic-system", "ns-search"]);
      expect(operator.inputs["namespace"]).to.equal("elastic-system");
      const custom = r.resources.filter((x) => [ES, KIBANA, BEAT].includes(x.type));
      expect(custom.map((x) => x.type).sort()).to.deep.equal([BEAT, ES, KIBANA]);
      for (const x of custom) {
        expect(x.dependsOn, x.name).to.include("eck-operator");
        expect(x.dependsOn, x.name).to.include("ns-search");
        expect((x.inputs["metadata"] as { namespace?: string }).namespace, x.name).to.equal("search");
      }
      const job = r.resources.filter((x) => x.type === JOB && x.name === "observability-elastic-ilm");
      expect(job).to.have.length(1);
      expect(job[0]?.dependsOn).to.include.members(["eck-operator", "observability-elastic-elasticsearch"]);
      // Jaeger writes here (the default with Elasticsearch on): the CA copy waits for the cluster too.
      expect(find(r.resources, JOB, "observability-elastic-jaeger-ca-copy").dependsOn).to.deep.equal([
        "ns-search",
        "observability-elastic-elasticsearch",
        "observability-elastic-jaeger-ca-copy-binding",
      ]);
    }
  });

  it("orders Kibana and the lifecycle Job after the cluster, and Filebeat after the Job", () => {
    expect(find(dev.resources, KIBANA, "observability-elastic-kibana").dependsOn).to.include(
      "observability-elastic-elasticsearch",
    );
    expect(find(dev.resources, BEAT, "observability-elastic-filebeat").dependsOn).to.deep.equal([
      "eck-operator",
      "ns-search",
      "observability-elastic-elasticsearch",
      "observability-elastic-ilm",
      "observability-elastic-filebeat-sa",
      "observability-elastic-filebeat-binding",
    ]);
    expect(find(dev.resources, ES, "observability-elastic-elasticsearch").dependsOn).to.deep.equal([
      "eck-operator",
      "ns-search",
      "observability-elastic-grafana-reader",
      "observability-elastic-jaeger-user",
      "observability-elastic-roles",
    ]);
  });

  it("parents everything to the ElasticStack component", () => {
    const names = dev.resources.filter((r) => r.parent === "observability-elastic").map((r) => r.name);
    expect(names).to.deep.equal([
      "eck-operator",
      "observability-elastic-grafana-reader-password",
      "observability-elastic-grafana-reader",
      "observability-elastic-jaeger-user-password",
      "observability-elastic-jaeger-user",
      "observability-elastic-roles",
      "observability-elastic-elasticsearch",
      "observability-elastic-kibana",
      "observability-elastic-ilm",
      "observability-elastic-jaeger-ca-copy-sa",
      "observability-elastic-jaeger-ca-copy-role",
      "observability-elastic-jaeger-ca-copy-binding",
      "observability-elastic-jaeger-ca-copy",
      "observability-elastic-jaeger-ca-copy-nightly",
      "observability-elastic-filebeat-sa",
      "observability-elastic-filebeat-role",
      "observability-elastic-filebeat-binding",
      "observability-elastic-filebeat",
      "observability-elastic-grafana-ca-copy-sa",
      "observability-elastic-grafana-ca-copy-role",
      "observability-elastic-grafana-ca-copy-binding",
      "observability-elastic-grafana-ca-copy",
      "observability-elastic-grafana-ca-copy-nightly",
      "grafana-datasource-elasticsearch",
    ]);
    expect(find(dev.resources, "observability:search:ElasticStack", "observability-elastic").parent).to.equal(
      "observability",
    );
  });

  it("creates the search namespaces only with it, Filebeat's privileged", () => {
    expect(dev.outputs["namespaces"]).to.deep.equal([
      "monitoring",
      "logging",
      "tracing",
      "istio-system",
      "istio-ingress",
      "elastic-system",
      "search",
      "cert-manager",
    ]);
    const labels = (name: string) =>
      (
        find(dev.resources, "kubernetes:core/v1:Namespace", `ns-${name}`).inputs["metadata"] as {
          labels: Record<string, string>;
        }
      ).labels;
    expect(labels("search")["pod-security.kubernetes.io/enforce"]).to.equal("privileged");
    expect(labels("elastic-system")["pod-security.kubernetes.io/enforce"]).to.equal("restricted");
  });

  it("sends custom resources that validate against the ECK CRDs", function () {
    requireUpstream(this, "crds");
    for (const r of [dev, prod]) {
      for (const x of r.resources.filter((y) => [ES, KIBANA, BEAT].includes(y.type))) {
        expect(validateCustomResource(x.inputs), x.name).to.deep.equal([]);
      }
    }
  });

  it("gives Grafana an Elasticsearch datasource in a labelled Secret, its password never in plain text", () => {
    const ds = find(dev.resources, SECRET, "grafana-datasource-elasticsearch");
    expect(ds.inputs["metadata"]).to.deep.equal({
      name: "grafana-datasource-elasticsearch",
      namespace: "monitoring",
      labels: {
        "app.kubernetes.io/part-of": "observability-stack",
        "app.kubernetes.io/managed-by": "pulumi",
        grafana_datasource: "1",
      },
    });
    expect(ds.inputs["stringData"]).to.equal("[secret]");
    expect(ds.dependsOn).to.deep.equal(["ns-monitoring", "observability-elastic-grafana-ca-copy"]);
    const user = find(dev.resources, SECRET, "observability-elastic-grafana-reader");
    expect(user.inputs["type"]).to.equal("kubernetes.io/basic-auth");
    expect(user.inputs["stringData"]).to.equal("[secret]");
    expect(
      find(
        dev.resources,
        "random:index/randomPassword:RandomPassword",
        "observability-elastic-grafana-reader-password",
      ).inputs,
    ).to.deep.equal({ length: 32, special: false });
    // The mock's generated password appears nowhere, in resources or outputs.
    expect(JSON.stringify(dev)).not.to.include("mock-password-for");
    expect(JSON.stringify(prod)).not.to.include("mock-password-for");
  });

  it("takes Grafana's and Jaeger's Elasticsearch passwords from secret config, generating nothing", async () => {
    const password = "Gr4fana-Reads-Logs";
    const jaegerPassword = "J4eger-Writes-Spans";
    const r = await run(
      stackInput(
        "prod",
        {},
        {
          grafanaAdminPassword: "admin-pw",
          grafanaElasticsearchPassword: password,
          tracingElasticsearchPassword: jaegerPassword,
        },
      ),
    );
    expect(r.resources.filter((x) => x.type.startsWith("random:"))).to.deep.equal([]);
    for (const user of ["observability-elastic-grafana-reader", "observability-elastic-jaeger-user"]) {
      expect(find(r.resources, SECRET, user).inputs["stringData"], user).to.equal("[secret]");
    }
    expect(JSON.stringify(r)).not.to.include(password);
    expect(JSON.stringify(r)).not.to.include(jaegerPassword);
  });

  it("generates Jaeger's Elasticsearch password when secret config has none", async () => {
    const r = await run(stackInput("prod", {}, { grafanaAdminPassword: "admin-pw" }));
    expect(r.resources.filter((x) => x.type.startsWith("random:")).map((x) => x.name)).to.deep.equal([
      "observability-elastic-grafana-reader-password",
      "observability-elastic-jaeger-user-password",
    ]);
  });

  it("leaves Grafana's user and datasource out when Grafana is off", async () => {
    const r = await run(
      stackInput("dev", {
        elastic: { enabled: true },
        grafana: { enabled: false },
        // Jaeger keeps its memory store: no user of its own here either.
        tracing: { storage: "memory" },
      }),
    );
    expect(r.resources.filter((x) => x.type === SECRET).map((x) => x.name)).to.deep.equal([
      "observability-prometheus-grafana-admin",
    ]);
    expect(r.resources.filter((x) => x.type.startsWith("random:")).map((x) => x.name)).to.deep.equal([
      "observability-prometheus-grafana-admin-password",
    ]);
    expect(find(r.resources, ES, "observability-elastic-elasticsearch").inputs["spec"]).not.to.have.property(
      "auth",
    );
  });

  it("leaves Filebeat and its RBAC out when it is off, and keeps the lifecycle Job", async () => {
    const r = await run(stackInput("dev", { elastic: { enabled: true, filebeat: { enabled: false } } }));
    expect(r.resources.filter((x) => /filebeat/.test(x.name))).to.deep.equal([]);
    expect(r.resources.filter((x) => x.type === JOB && /-ilm$/.test(x.name))).to.have.length(1);
  });

  it("exports how to reach Kibana and the elastic user's Secret name, never a password", () => {
    expect(dev.outputs["elastic"]).to.deep.equal({
      namespace: "search",
      elasticsearch: {
        service: "elasticsearch-es-http",
        url: "https://elasticsearch-es-http.search.svc:9200",
        elasticUserSecret: { name: "elasticsearch-es-elastic-user", key: "elastic" },
        caSecret: { name: "elasticsearch-es-http-certs-public", key: "ca.crt" },
        logDataStream: "logs-kubernetes-default",
        ilmPolicy: "logs-kubernetes",
      },
      kibana: {
        service: "kibana-kb-http",
        portForward: "kubectl -n search port-forward svc/kibana-kb-http 5601:5601",
        url: "https://localhost:5601",
      },
    });
    expect(dev.outputs["elasticPasswordCommand"]).to.equal(
      "kubectl -n search get secret elasticsearch-es-elastic-user -o jsonpath='{.data.elastic}' | base64 -d",
    );
  });

  it("sizes the operator like the other releases", () => {
    expect(valueOf(release(prod.resources, "eck-operator"), "resources.requests")).to.deep.equal({
      cpu: "100m",
      memory: "256Mi",
    });
  });
});

describe("the resource table with ELK on", () => {
  it("lists the operator-run containers, and leaves Elasticsearch out of the total", async () => {
    const usage = planContainers(await plan("prod"));
    const rows = usage
      .filter((u) => /^(eck-operator|elasticsearch|kibana|filebeat|elastic)/.test(u.release))
      .map((u) => [u.release, u.container, u.runs, u.count, u.inBudget ?? true]);
    expect(rows).to.deep.equal([
      ["eck-operator", "elastic-operator", "pod", 1, true],
      ["elasticsearch (Elasticsearch resource)", "elasticsearch (node set master)", "pod", 3, false],
      ["elasticsearch (Elasticsearch resource)", "elasticsearch (node set hot)", "pod", 2, false],
      ["elasticsearch (Elasticsearch resource)", "elasticsearch (node set warm)", "pod", 2, false],
      ["kibana (Kibana resource)", "kibana", "pod", 2, true],
      ["filebeat (Beat resource)", "filebeat", "node", 1, true],
    ]);
    const all = totalRequests(usage);
    const withoutEs = totalRequests(usage.filter((u) => u.inBudget !== false));
    expect(all).to.deep.equal(withoutEs);
    // 3 x 500m + 4 x 2 cores; 3 x 2Gi + 4 x 8Gi.
    expect(totalRequests(usage, 1, true)).to.deep.equal({ cpu: 9.5, memory: 38 * 2 ** 30 });
    const table = resourceTable("prod", usage);
    expect(table).to.include(
      "| elasticsearch (Elasticsearch resource) | elasticsearch (node set hot) | pod (not in the total) | 2 | 2 | 8Gi | 8Gi |",
    );
    expect(table).to.include(
      "Elasticsearch, sized for its data and not in that total: 9.5 CPU, 38Gi memory.",
    );
  });

  it("counts the operator, Kibana and Filebeat against the laptop budget when dev turns ELK on", async () => {
    const off = totalRequests(planContainers({ stack: "dev", ...(await run(stackInput("dev"))) }));
    const on = totalRequests(
      planContainers({ stack: "dev", ...(await run(stackInput("dev", { elastic: { enabled: true } }))) }),
    );
    // eck-operator 50m/128Mi + Kibana 100m/768Mi + Filebeat 20m/100Mi; Elasticsearch not counted.
    expect(Math.round((on.cpu - off.cpu) * 1000)).to.equal(170);
    expect((on.memory - off.memory) / 2 ** 20).to.equal(996);
  });
});
