/**
 * Verified TLS: no Grafana datasource skips certificate verification (checked over the whole plan,
 * secrets included), and Grafana's Elasticsearch datasource verifies with ECK's CA. (Jaeger on the
 * stack's Elasticsearch verifies it with ECK's CA copied into its namespace: test/tracing.test.ts.)
 */
import { expect } from "chai";
import { parse } from "yaml";
import { DATASOURCES_DIR } from "../components/grafana";
import { GRAFANA_CA_COPY } from "../components/search";
import { DeclaredResource, runProgram } from "../tools/lib/run-program";
import { stackInput } from "./lib/helpers";

const SECRET = "kubernetes:core/v1:Secret";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";

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

  it("verifies Elasticsearch in Grafana with ECK's CA, copied beside the datasource, never read by the program", async () => {
    const resources = await revealed("prod");
    const es = provisionedDatasources(resources).find((d) => d["uid"] === "elasticsearch");
    expect(es?.["jsonData"]).to.deep.include({ tlsAuthWithCACert: true });
    const caFile = `${DATASOURCES_DIR}/${GRAFANA_CA_COPY.key}`;
    expect(es?.["secureJsonData"]).to.deep.include({ tlsCACert: `$__file{${caFile}}` });

    // A Job copies ECK's CA into Grafana's namespace, under the sidecar's label, with the key the
    // datasource reads, and the datasource comes after it.
    const grafanaNamespace = "monitoring";
    const job = resources.find((r) => r.name === "observability-elastic-grafana-ca-copy");
    const containers = (
      job?.inputs["spec"] as {
        template: { spec: { containers: { env: { name: string; value: string }[] }[] } };
      }
    ).template.spec.containers;
    expect(containers).to.have.length(1);
    const env = Object.fromEntries(containers.flatMap((c) => c.env.map((e) => [e.name, e.value])));
    expect(env).to.deep.include({
      TARGET_NAMESPACE: grafanaNamespace,
      TARGET_SECRET: GRAFANA_CA_COPY.secret,
      TARGET_KEY: GRAFANA_CA_COPY.key,
    });
    expect(JSON.parse(env["LABELS"] ?? "{}")).to.deep.include({ grafana_datasource: "1" });
    const datasource = resources.find((r) => r.name === "grafana-datasource-elasticsearch");
    expect(datasource?.dependsOn).to.include(job?.name);
    // The sidecar lists Secrets in name order: the CA file is written before the datasource.
    const datasourceName = (datasource?.inputs["metadata"] as { name: string }).name;
    expect([datasourceName, GRAFANA_CA_COPY.secret].sort()).to.deep.equal([
      GRAFANA_CA_COPY.secret,
      datasourceName,
    ]);

    // No read of any existing object: a read is a step in every preview and a change on refresh.
    expect(resources.filter((r) => r.read === true).map((r) => r.name)).to.deep.equal([]);
  });
});
