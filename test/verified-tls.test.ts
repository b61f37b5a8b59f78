/**
 * Verified TLS: no Grafana datasource skips certificate verification (checked over the whole plan,
 * secrets included), Grafana's Elasticsearch datasource verifies with ECK's CA, and Jaeger's
 * Elasticsearch storage verifies with ECK's CA or the configured bundle.
 */
import { expect } from "chai";
import { parse } from "yaml";
import { DeclaredResource, MOCK_CA, runProgram } from "../tools/lib/run-program";
import { errorFor } from "./lib/config-error";
import { release, stackInput, valueOf } from "./lib/helpers";

const SECRET = "kubernetes:core/v1:Secret";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBcorporateCA\n-----END CERTIFICATE-----\n";

/** Every key path in a value whose key is `key`. */
function pathsOf(value: unknown, key: string, at = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => pathsOf(v, key, `${at}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [
    ...(k === key && v === true ? [`${at}.${k}`] : []),
    ...pathsOf(v, key, `${at}.${k}`),
  ]);
}

/** The Grafana datasources provisioned through labelled ConfigMaps and Secrets, parsed. */
function provisionedDatasources(resources: readonly DeclaredResource[]): Record<string, unknown>[] {
  return resources
    .filter((r) => r.type === SECRET || r.type === CONFIGMAP)
    .filter(
      (r) =>
        (r.inputs["metadata"] as { labels?: Record<string, string> } | undefined)?.labels?.[
          "grafana_datasource"
        ] === "1",
    )
    .flatMap((r) => Object.values((r.inputs["data"] ?? r.inputs["stringData"]) as Record<string, string>))
    .flatMap((text) => (parse(text) as { datasources: Record<string, unknown>[] }).datasources);
}

async function revealed(
  stack: string,
  overrides: Record<string, unknown> = {},
  secrets: Record<string, string> = {},
) {
  return (await runProgram({ ...stackInput(stack, overrides, secrets), revealSecrets: true })).resources;
}

describe("verified TLS", () => {
  for (const stack of ["dev", "prod"]) {
    it(`${stack}: no datasource, value or object anywhere in the plan skips TLS verification`, async () => {
      const resources = await revealed(stack);
      const datasources = provisionedDatasources(resources);
      expect(datasources.length).to.be.greaterThan(0);
      expect(pathsOf(resources, "tlsSkipVerify")).to.deep.equal([]);
      expect(pathsOf(resources, "insecure_skip_verify")).to.deep.equal([]);
      // The one exception, kept on purpose: Prometheus scraping meshed pods under STRICT mTLS.
      const kps = resources.find((r) => r.name === "kube-prometheus-stack");
      for (const p of pathsOf(resources, "insecureSkipVerify"))
        expect(p, p).to.match(/tlsConfig\.insecureSkipVerify$/);
      expect(kps).to.not.equal(undefined);
    });
  }

  it("verifies Elasticsearch in Grafana with ECK's CA, read back from ECK's Secret", async () => {
    const resources = await revealed("prod");
    const es = provisionedDatasources(resources).find((d) => d["uid"] === "elasticsearch");
    expect(es?.["jsonData"]).to.deep.include({ tlsAuthWithCACert: true });
    expect(es?.["secureJsonData"]).to.deep.include({ tlsCACert: MOCK_CA });
    const read = resources.find((r) => r.name === "observability-elastic-http-ca");
    expect(read?.type).to.equal(SECRET);
  });

  describe("Jaeger's Elasticsearch storage", () => {
    const storage = (url: string, caBundle?: string) => ({
      storage: "elasticsearch",
      retention: "7d",
      elasticsearch: { url, ...(caBundle !== undefined ? { caBundle } : {}) },
    });
    const password = { tracingElasticsearchPassword: "[secret]" };

    async function jaeger(overrides: Record<string, unknown>) {
      const { resources } = await runProgram({
        ...stackInput("prod", overrides, password),
        revealSecrets: true,
      });
      const values = release(resources, "jaeger");
      const backend = valueOf(values, "userconfig.extensions.jaeger_storage.backends") as Record<
        string,
        { elasticsearch: Record<string, unknown> }
      >;
      const ca = resources.find((r) => r.type === SECRET && r.name.endsWith("-elasticsearch-ca"));
      return { es: Object.values(backend)[0]?.elasticsearch, ca, values };
    }

    it("verifies the stack's own cluster with ECK's CA, mounted from a Secret", async () => {
      const { es, ca, values } = await jaeger({
        tracing: storage("https://elasticsearch-es-http.search.svc:9200"),
      });
      expect(es?.["tls"]).to.deep.equal({ ca_file: "/etc/jaeger/elasticsearch-ca/ca.crt" });
      expect((ca?.inputs["stringData"] as Record<string, string>)["ca.crt"]).to.equal(MOCK_CA);
      expect(valueOf(values, "jaeger.extraVolumes")).to.deep.equal([
        { name: "elasticsearch-ca", secret: { secretName: "jaeger-elasticsearch-ca" } },
      ]);
      expect(valueOf(values, "esIndexCleaner.extraEnv")).to.deep.include({
        name: "ES_TLS_CA",
        value: "/etc/jaeger/elasticsearch-ca/ca.crt",
      });
    });

    it("refuses a CA bundle that is not PEM certificates, naming the key", () => {
      expect(
        errorFor({
          cluster: { type: "kind", context: "kind-observability" },
          tracing: storage("https://logs.example.com:9200", "ca.crt"),
        }),
      ).to.equal(
        'Invalid stack config (2 problems):\n  - tracing.elasticsearch.caBundle: must be PEM certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----), got "ca.crt"; set e.g. `pulumi config set --path tracing.elasticsearch.caBundle "$(cat ca.crt)"`\n  - tracingElasticsearchPassword: is required when tracing.storage is elasticsearch; set the password of tracing.elasticsearch.username with `pulumi config set --secret tracingElasticsearchPassword <password>`',
      );
    });

    it("verifies another cluster with the configured bundle, or else the system's roots", async () => {
      const bundled = await jaeger({ tracing: storage("https://logs.example.com:9200", PEM) });
      expect((bundled.ca?.inputs["stringData"] as Record<string, string>)["ca.crt"]).to.equal(PEM);
      expect(bundled.es?.["tls"]).to.deep.equal({ ca_file: "/etc/jaeger/elasticsearch-ca/ca.crt" });
      const system = await jaeger({ tracing: storage("https://logs.example.com:9200") });
      expect(system.ca).to.equal(undefined);
      expect(system.es).to.not.have.property("tls");
    });
  });
});
