import { expect } from "chai";
import { configWarnings, parseStackConfig, partsRunning } from "../components/core";
import { goDuration } from "../components/kit";
import { prometheusStackValues, prometheusStackValuesArgs } from "../components/monitoring";
import { errorFor } from "./lib/config-error";
import { stackFileError } from "./lib/stack-file-error";
import { programError, stackInput, stackRawConfig } from "./lib/helpers";

/**
 * The bad stack files a new user's probe found accepted: each is refused with one line (the key
 * path, what is wrong, what to set), or warned about where it is legal but risky.
 */
const kind = { cluster: { type: "kind", context: "kind-observability" } };
const E = "Invalid stack config: ";

function warningsOf(raw: Record<string, unknown>): string[] {
  const config = parseStackConfig(raw);
  return configWarnings(config, partsRunning(config));
}

describe("the inputs a new user's probe found accepted", () => {
  const refused: [string, Record<string, unknown>, string][] = [
    [
      "a zero Prometheus retention",
      { ...kind, prometheus: { retention: "0s" } },
      'prometheus.retention: must be longer than 0, got "0s"; set e.g. `pulumi config set --path prometheus.retention 10d`',
    ],
    [
      "a zero Alertmanager retention",
      { ...kind, alertmanager: { retention: "0s" } },
      'alertmanager.retention: must be longer than 0, got "0s"; set e.g. `pulumi config set --path alertmanager.retention 120h`',
    ],
    [
      "a zero scrape interval",
      { ...kind, prometheus: { scrapeInterval: "0s" } },
      'prometheus.scrapeInterval: must be longer than 0, got "0s"; set e.g. `pulumi config set --path prometheus.scrapeInterval 30s`',
    ],
    [
      "an unquoted 0 duration, by what it is",
      { ...kind, prometheus: { retention: 0 } },
      "prometheus.retention: must be a duration with a unit such as 30s, 15m, 12h, 10d or 2w, got the number 0; set e.g. `pulumi config set --path prometheus.retention 10d`",
    ],
    [
      "a memory request above the preset's limit",
      { ...kind, resources: { grafana: { memory: "4Gi" } } },
      "resources.grafana.memory: is 4Gi, above the memory limit 320Mi of the laptop preset, and the API server refuses such a pod; raise the limit with it, e.g. `pulumi config set --path resources.grafana.memoryLimit 4Gi`",
    ],
    [
      "a memory limit below the preset's request",
      { ...kind, resources: { grafana: { memoryLimit: "16Mi" } } },
      "resources.grafana.memoryLimit: is 16Mi, below the memory request 160Mi of the laptop preset, and the API server refuses such a pod; raise the limit with it, e.g. `pulumi config set --path resources.grafana.memoryLimit 160Mi`",
    ],
    [
      'a Badger volume of "0"',
      { ...kind, tracing: { storage: "badger", badger: { size: "0" } } },
      'tracing.badger.size: must be more than 0, got "0"; set a size, e.g. `pulumi config set --path tracing.badger.size 10Gi`',
    ],
    [
      "a volume in thousandths of a byte",
      { ...kind, loki: { persistence: { size: "500m" } } },
      "loki.persistence.size: is 500m, thousandths of a byte (m means milli in a Kubernetes quantity); did you mean 500Mi? set `pulumi config set --path loki.persistence.size 500Mi`",
    ],
    [
      "a volume of a few bytes",
      { ...kind, grafana: { storage: { size: "10" } } },
      "grafana.storage.size: is 10 bytes, too small for a volume (at least 1Mi); did you mean 10Gi? set `pulumi config set --path grafana.storage.size 10Gi`",
    ],
    [
      "an implausible volume",
      { ...kind, prometheus: { storage: { size: "100000Ti" } } },
      "prometheus.storage.size: is 100000Ti, more than 64Ti, the largest single disk EBS, Persistent Disk and Azure Disk offer; set a size of at most 64Ti, e.g. `pulumi config set --path prometheus.storage.size 50Gi`",
    ],
    [
      "a size cap above the volume",
      { ...kind, prometheus: { retentionSize: "100GB", storage: { size: "10Gi" } } },
      "prometheus.retentionSize: is 100GB, more than the volume (prometheus.storage.size 10Gi), so the disk fills before the cap applies and Prometheus stops writing; set about 80% of the volume, e.g. `pulumi config set --path prometheus.retentionSize 8GiB`",
    ],
    [
      "10gi, with the same did-you-mean as 10GB",
      { ...kind, grafana: { storage: { size: "10gi" } } },
      'grafana.storage.size: must be a Kubernetes quantity such as 500m, 256Mi or 20Gi, got "10gi"; did you mean 10Gi? the suffixes are case-sensitive: set `pulumi config set --path grafana.storage.size 10Gi`',
    ],
    [
      "two canary routes for one host in one namespace",
      {
        ...kind,
        mesh: {
          canaries: [
            { name: "reviews", namespace: "shop", weights: { stable: 90, canary: 10 } },
            { name: "reviews-2", namespace: "shop", host: "reviews", weights: { stable: 80, canary: 20 } },
          ],
        },
      },
      'mesh.canaries[1].host: "reviews" in namespace "shop" is already routed by mesh.canaries[0], and Istio applies only one of two VirtualServices for a host; route each host once: put both rules in one canary route, or remove one',
    ],
    [
      "a canary in Istio's namespace",
      {
        ...kind,
        mesh: {
          canaries: [{ name: "reviews", namespace: "istio-system", weights: { stable: 90, canary: 10 } }],
        },
      },
      "mesh.canaries[0].namespace: is \"istio-system\", a namespace of Kubernetes, Istio or the stack itself, not an application's; set the application's namespace, e.g. `pulumi config set --path 'mesh.canaries[0].namespace' shop`",
    ],
    [
      "a canary in the stack's own namespace",
      {
        ...kind,
        mesh: {
          canaries: [{ name: "grafana", namespace: "monitoring", weights: { stable: 90, canary: 10 } }],
        },
      },
      "mesh.canaries[0].namespace: is \"monitoring\", a namespace of Kubernetes, Istio or the stack itself, not an application's; set the application's namespace, e.g. `pulumi config set --path 'mesh.canaries[0].namespace' shop`",
    ],
    [
      'dashboards.enabled "true" (quoted) without Grafana',
      { ...kind, grafana: { enabled: false }, dashboards: { enabled: "true" } },
      "dashboards.enabled: is true but grafana.enabled is false, and the dashboards are Grafana's; set `pulumi config set --path grafana.enabled true`, or `pulumi config set --path dashboards.enabled false`",
    ],
    [
      "0 Prometheus replicas",
      { ...kind, prometheus: { replicas: 0 } },
      "prometheus.replicas: is 0, which runs no Prometheus while prometheus.enabled is true; set at least 1 with `pulumi config set --path prometheus.replicas 1`, or turn it off with `pulumi config set --path prometheus.enabled false`",
    ],
    [
      '"0" Alertmanager replicas, as `pulumi config set` writes it',
      { ...kind, alertmanager: { replicas: "0" } },
      "alertmanager.replicas: is 0, which runs no Alertmanager while alertmanager.enabled is true; set at least 1 with `pulumi config set --path alertmanager.replicas 1`, or turn it off with `pulumi config set --path alertmanager.enabled false`",
    ],
    [
      "0 Grafana replicas",
      { ...kind, grafana: { replicas: 0 } },
      "grafana.replicas: is 0, which runs no Grafana while grafana.enabled is true; set at least 1 with `pulumi config set --path grafana.replicas 1`, or turn it off with `pulumi config set --path grafana.enabled false`",
    ],
    [
      "a blank context",
      { cluster: { type: "kind", context: " " } },
      'cluster.context: is blank (" "); set the context\'s name, e.g. `pulumi config set --path cluster.context kind-observability`',
    ],
    [
      "a context padded with spaces",
      { cluster: { type: "kind", context: " kind-observability " } },
      'cluster.context: has spaces around the name (" kind-observability "), and no kubeconfig context does; set the context\'s name, e.g. `pulumi config set --path cluster.context kind-observability`',
    ],
    [
      "two community dashboards that make one ConfigMap",
      {
        ...kind,
        dashboards: {
          community: { myDash: { gnetId: 1, revision: 1 }, "my-dash": { gnetId: 2, revision: 1 } },
        },
      },
      "dashboards.community.myDash: becomes the ConfigMap grafana-dashboard-community-my-dash, as dashboards.community.my-dash does; rename one of them so that their names differ by more than case and dashes",
    ],
    [
      "a trace retention with memory storage",
      { ...kind, tracing: { storage: "memory", retention: "48h" } },
      "tracing.retention: is set, but tracing.storage is memory, which keeps the newest tracing.maxTraces traces and has no retention; remove it with `pulumi config rm --path tracing.retention`, or keep spans for a time with `pulumi config set --path tracing.storage badger`",
    ],
    [
      "a registry with a trailing slash, with the value it meant",
      { ...kind, images: { registry: "registry.example.com/mirror/" } },
      'images.registry: ends with a slash ("registry.example.com/mirror/"), and each image\'s path is added after one; did you mean registry.example.com/mirror? set `pulumi config set --path images.registry registry.example.com/mirror`',
    ],
  ];
  for (const [what, raw, message] of refused) {
    it(`refuses ${what}`, () => {
      expect(errorFor(raw)).to.equal(E + message);
    });
  }

  it("refuses Alertmanager receivers without Alertmanager, which would drop them", () => {
    const raw = {
      ...kind,
      alertmanager: { enabled: false },
      alerting: {
        receivers: { oncall: { type: "slack", channel: "#oncall" } },
        route: { receiver: "oncall" },
      },
    };
    expect(errorFor(raw, ["alertReceiverSecrets"], { alertReceiverSecrets: ["oncall"] })).to.equal(
      E +
        "alertmanager.enabled: is false, but alerting.receivers sets oncall, which only Alertmanager notifies, so no alert would reach it; set `pulumi config set --path alertmanager.enabled true`, or remove the receivers with `pulumi config rm --path alerting.receivers` and `pulumi config rm --path alerting.route`",
    );
  });

  it("refuses the Elasticsearch passwords that nothing uses", () => {
    expect(errorFor({ ...kind, tracing: { storage: "memory" } }, ["tracingElasticsearchPassword"])).to.equal(
      E +
        "tracingElasticsearchPassword: is set, but Jaeger writes no spans to Elasticsearch (tracing.storage is memory), so nothing uses it; remove it with `pulumi config rm tracingElasticsearchPassword`, or set `pulumi config set --path tracing.storage elasticsearch`",
    );
    expect(errorFor(kind, ["grafanaElasticsearchPassword"])).to.equal(
      E +
        "grafanaElasticsearchPassword: is set, but elastic.enabled is false, so there is no Elasticsearch user for Grafana to use it; remove it with `pulumi config rm grafanaElasticsearchPassword`, or set `pulumi config set --path elastic.enabled true`",
    );
    // Where Jaeger writes to Elasticsearch, the password is used.
    const prod = stackRawConfig("prod");
    expect(() =>
      parseStackConfig(prod, new Set(["tracingElasticsearchPassword", "grafanaElasticsearchPassword"])),
    ).not.to.throw();
  });

  it("suggests Thanos retentions that meet the rule they come with", () => {
    const raw = {
      ...stackRawConfig("large"),
      thanos: { ...(stackRawConfig("large")["thanos"] as object), retention: { raw: "400d" } },
    };
    const message = errorFor(raw, ["thanosS3AccessKeyId", "thanosS3SecretAccessKey"]);
    expect(message).to.contain(
      "thanos.retention.fiveMinutes: is 180d, shorter than thanos.retention.raw (400d): a coarser resolution is kept at least as long as a finer one; set it to at least 400d, e.g. `pulumi config set --path thanos.retention.fiveMinutes 400d`",
    );
  });

  it("sends an Alertmanager retention in days as hours, the units its CRD takes", () => {
    const config = parseStackConfig({ ...kind, alertmanager: { retention: "5d" } });
    expect(config.alertmanager.retention).to.equal("5d");
    expect(goDuration(config.alertmanager.retention)).to.equal("120h");
    const values = prometheusStackValues(prometheusStackValuesArgs(config, "grafana-admin")) as {
      alertmanager: { alertmanagerSpec: { retention: string } };
    };
    expect(values.alertmanager.alertmanagerSpec.retention).to.equal("120h");
    // The CRD's own pattern (prometheus-operator v0.89.0, crd-alertmanagers.yaml).
    expect("120h").to.match(/^(0|(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/);
  });

  describe("keys the program would never read", () => {
    it("kubernetes:context in the stack file", async () => {
      const input = stackInput("dev");
      input.config["kubernetes:context"] = "kind-observability";
      expect(await programError(input)).to.equal(
        E +
          "kubernetes:context: is not read: the stack's Kubernetes provider is configured by cluster.*, not by kubernetes:* keys; set `pulumi config set --path cluster.context <context>` and remove it with `pulumi config rm kubernetes:context`",
      );
    });

    it("a prefix that holds the project's name", async () => {
      const input = stackInput("dev");
      input.config["observability-stack:loki"] = JSON.stringify({ mode: "SimpleScalable" });
      expect(await programError(input)).to.equal(
        E +
          'observability-stack:loki: is not read: its prefix "observability-stack" is not the project\'s name "observability"; did you mean observability:loki? rename it in the stack file',
      );
    });
  });

  describe("stack files", () => {
    it("the same key through two spellings", () => {
      expect(
        stackFileError(
          "config:\n  observability:sizing: laptop\n  sizing: production\n  observability:cluster:\n    type: kind\n",
        ),
      ).to.equal(
        "Pulumi.broken.yaml: config: observability:sizing and sizing are the same key (a key without a prefix is the project's); keep one of them",
      );
    });

    it("config: written as a list", () => {
      expect(stackFileError("config:\n  - observability:sizing: laptop\n")).to.equal(
        "Pulumi.broken.yaml: config: must be a mapping of keys to values, got a list; write each key as `  observability:<key>: <value>` under config:, without a leading -",
      );
    });

    it("an unclosed [ points at the line that opens it", () => {
      expect(
        stackFileError(
          "config:\n  observability:mesh:\n    injectNamespaces: [shop, web\n  observability:sizing: laptop\n",
        ),
      ).to.equal(
        "Pulumi.broken.yaml:3:23: this [ opens a list that is never closed; end it with ] on the same line",
      );
    });

    it("an unclosed { too, and a [ inside quotes is no bracket", () => {
      expect(
        stackFileError(
          'config:\n  observability:images:\n    registry: "a[b"\n  observability:mesh: {enabled: true\n  observability:sizing: laptop\n',
        ),
      ).to.equal(
        "Pulumi.broken.yaml:4:23: this { opens a map that is never closed; end it with } on the same line",
      );
    });
  });

  describe("production settings that are legal but risky are warned about", () => {
    const prod = () => stackRawConfig("prod");
    const receiver = {
      alerting: {
        receivers: { oncall: { type: "slack", channel: "#oncall" } },
        route: { receiver: "oncall" },
      },
    };
    function prodWarnings(overrides: Record<string, unknown>): string[] {
      const raw = { ...prod(), ...receiver, ...overrides };
      const config = parseStackConfig(
        raw,
        new Set(["alertReceiverSecrets", "tracingElasticsearchPassword", "grafanaElasticsearchPassword"]),
        { alertReceiverSecrets: ["oncall"] },
      );
      return configWarnings(config, partsRunning(config));
    }

    it("and the prod example with a receiver warns nothing", () => {
      expect(prodWarnings({})).to.deep.equal([]);
    });

    it("NetworkPolicies off", () => {
      expect(prodWarnings({ networkPolicies: { enabled: false } })).to.deep.equal([
        "networkPolicies.enabled: is false on a production-sized stack, so any pod in the cluster can reach every service of the stack; turn them on with `pulumi config set --path networkPolicies.enabled true` once the CNI enforces NetworkPolicy",
      ]);
    });

    it("data not retained", () => {
      const cluster = { ...(prod()["cluster"] as object), retainData: false };
      expect(prodWarnings({ cluster })).to.deep.equal([
        "cluster.retainData: is false on a production-sized stack, so `pulumi destroy` or removing a part deletes its volumes and the data in them; keep them with `pulumi config set --path cluster.retainData true`",
      ]);
    });

    it("PERMISSIVE mTLS", () => {
      const mesh = prod()["mesh"] as Record<string, unknown>;
      const mtls = { ...(mesh["mtls"] as object), mode: "PERMISSIVE" };
      expect(prodWarnings({ mesh: { ...mesh, mtls } })).to.deep.equal([
        "mesh.mtls.mode: is PERMISSIVE on a production-sized stack, so meshed pods also accept plaintext without an identity; set `pulumi config set --path mesh.mtls.mode STRICT`, with mesh.mtls.exceptions for the namespaces that still need plaintext",
      ]);
    });

    it("exactly 2 master-eligible Elasticsearch nodes", () => {
      const elastic = prod()["elastic"] as { nodeSets: { name: string; count: number }[] };
      // The prod example's dedicated masters, down from 3 to 2.
      const nodeSets = elastic.nodeSets.map((n) => (n.name === "master" ? { ...n, count: 2 } : n));
      expect(prodWarnings({ elastic: { ...elastic, nodeSets } })).to.deep.equal([
        "elastic.nodeSets: has exactly 2 master-eligible nodes on a production-sized stack; electing a master needs a majority, so losing either node stops the cluster; make it 3, e.g. `pulumi config set --path 'elastic.nodeSets[0].count' 3`, or give a third node the master role",
      ]);
    });

    it("and none of these on a laptop-sized stack", () => {
      expect(
        warningsOf({ ...kind, networkPolicies: { enabled: false }, mesh: { mtls: { mode: "PERMISSIVE" } } }),
      ).to.deep.equal([]);
    });
  });
});
