import { expect } from "chai";
import { errorFor } from "./lib/config-error";
import { stackRawConfig } from "./lib/helpers";
import { parseStackConfig } from "../components/core";
import { durationSeconds, goDuration } from "../components/kit";

const kind = { cluster: { type: "kind", context: "kind-observability" } };
const cloud = { cluster: { type: "cloud", context: "prod" }, sizing: "production" };
/** Two certificates, as a private CA's chain is given (the content is not parsed, only its form). */
const CA_PEM =
  "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2E=\n-----END CERTIFICATE-----\n" +
  "-----BEGIN CERTIFICATE-----\nMIIBtDCCAVqgAwIBAgIUR2E=\n-----END CERTIFICATE-----\n";

describe("tracing config", () => {
  it("defaults to Jaeger with bounded in-memory storage and no gateway", () => {
    expect(parseStackConfig(kind).tracing).to.deep.equal({
      enabled: true,
      jaeger: { enabled: true },
      storage: "memory",
      retention: "72h",
      maxTraces: 5000,
      badger: { size: "10Gi" },
      collector: { enabled: false, replicas: 1, samplingPercent: 100 },
    });
  });

  it("reads the stack files: memory in dev, the stack's Elasticsearch and a sampling gateway in prod and large", () => {
    expect(parseStackConfig(stackRawConfig("dev")).tracing.storage).to.equal("memory");
    for (const stack of ["prod", "large"]) {
      const t = parseStackConfig(stackRawConfig(stack)).tracing;
      expect(t.storage, stack).to.equal("elasticsearch");
      expect(t.elasticsearch, stack).to.deep.equal({
        cluster: "stack",
        username: "jaeger",
        indexPrefix: "observability",
      });
      expect(t.retention, stack).to.equal("7d");
      expect(t.collector, stack).to.deep.equal({ enabled: true, replicas: 2, samplingPercent: 25 });
    }
  });

  it("keeps Badger when the stack runs no Elasticsearch, and when asked for it beside one", () => {
    const badger = parseStackConfig({ ...cloud, tracing: { storage: "badger" } }).tracing;
    expect(badger.storage).to.equal("badger");
    expect(badger.elasticsearch).to.equal(undefined);
    const beside = parseStackConfig({
      ...cloud,
      elastic: { enabled: true },
      tracing: { storage: "badger" },
    }).tracing;
    expect(beside.storage).to.equal("badger");
    expect(beside.elasticsearch).to.equal(undefined);
  });

  it("writes to the stack's Elasticsearch under its own prefix, not as a configured user or password", () => {
    const t = parseStackConfig({
      ...cloud,
      elastic: { enabled: true },
      tracing: { elasticsearch: { indexPrefix: "team-a" } },
    }).tracing;
    expect(t.elasticsearch).to.deep.equal({ cluster: "stack", username: "jaeger", indexPrefix: "team-a" });
    expect(
      errorFor(
        { ...cloud, elastic: { enabled: true }, tracing: { elasticsearch: { username: "elastic" } } },
        ["tracingElasticsearchPassword"],
      ),
    ).to.equal(
      "Invalid stack config: tracing.elasticsearch.username: is set, but Jaeger writes to the stack's own Elasticsearch as its dedicated user jaeger, with only the privileges it needs; remove it with `pulumi config rm --path tracing.elasticsearch.username`, or set tracing.elasticsearch.url to write to another cluster",
    );
    expect(
      errorFor({
        ...cloud,
        elastic: { enabled: true },
        tracing: { elasticsearch: { indexPrefix: "traces" } },
      }),
    ).to.equal(
      "Invalid stack config: tracing.elasticsearch.indexPrefix: is \"traces\", which Elasticsearch's built-in traces-*-* template claims: Jaeger's indices would become data streams; set another, e.g. `pulumi config set --path tracing.elasticsearch.indexPrefix observability`",
    );
  });

  it("reads Elasticsearch storage, a custom exporter and text numbers", () => {
    const t = parseStackConfig(
      {
        ...cloud,
        tracing: {
          storage: "elasticsearch",
          retention: "2w",
          elasticsearch: { url: "https://search-es-http.search.svc:9200" },
          collector: {
            enabled: "true",
            samplingPercent: "12.5",
            exporter: { endpoint: "tempo.tempo.svc:4317", insecure: false },
          },
        },
      },
      new Set(["tracingElasticsearchPassword"]),
    ).tracing;
    expect(t.elasticsearch).to.deep.equal({
      cluster: "external",
      url: "https://search-es-http.search.svc:9200",
      username: "elastic",
      indexPrefix: "observability",
    });
    expect(t.collector).to.deep.equal({
      enabled: true,
      replicas: 1,
      samplingPercent: 12.5,
      exporter: { endpoint: "tempo.tempo.svc:4317", insecure: false },
    });
  });

  it("keeps an external cluster's CA bundle for Jaeger to verify it with", () => {
    const t = parseStackConfig(
      {
        ...cloud,
        tracing: {
          storage: "elasticsearch",
          elasticsearch: { url: "https://search.example.com:9200", caBundle: CA_PEM },
        },
      },
      new Set(["tracingElasticsearchPassword"]),
    ).tracing;
    expect(t.elasticsearch).to.deep.equal({
      cluster: "external",
      url: "https://search.example.com:9200",
      username: "elastic",
      indexPrefix: "observability",
      caBundle: CA_PEM,
    });
  });

  it("accepts sampling at both ends of the range", () => {
    for (const p of [0, 100]) {
      const t = parseStackConfig({
        ...kind,
        tracing: { collector: { enabled: true, samplingPercent: p } },
      }).tracing;
      expect(t.collector.samplingPercent).to.equal(p);
    }
  });

  it("lets production run without Jaeger's storage when Jaeger is off", () => {
    const t = parseStackConfig({
      ...cloud,
      tracing: {
        jaeger: { enabled: false },
        collector: { enabled: true, exporter: { endpoint: "tempo:4317" } },
      },
    }).tracing;
    expect(t.jaeger.enabled).to.equal(false);
  });

  describe("errors name the key path, what is wrong and what to set", () => {
    const cases: [string, Record<string, unknown>, string[], string][] = [
      [
        "an unknown storage kind",
        { ...kind, tracing: { storage: "cassandra" } },
        [],
        'Invalid stack config: tracing.storage: must be one of memory, badger, elasticsearch, got "cassandra"; set one of them, e.g. `pulumi config set --path tracing.storage memory`',
      ],
      [
        "production without persistent storage",
        { ...cloud },
        [],
        "Invalid stack config: tracing.storage: is memory with sizing production, so every trace is lost when the Jaeger pod restarts; set `pulumi config set --path tracing.storage badger` (a PersistentVolumeClaim) or elasticsearch",
      ],
      [
        "a sampling rate above 100%",
        { ...kind, tracing: { collector: { enabled: true, samplingPercent: 150 } } },
        [],
        "Invalid stack config: tracing.collector.samplingPercent: must be a number from 0 to 100, got 150; set e.g. `pulumi config set --path tracing.collector.samplingPercent 10` to keep one trace in ten",
      ],
      [
        "a negative sampling rate",
        { ...kind, tracing: { collector: { samplingPercent: -1 } } },
        [],
        "Invalid stack config: tracing.collector.samplingPercent: must be a number from 0 to 100, got -1; set e.g. `pulumi config set --path tracing.collector.samplingPercent 10` to keep one trace in ten",
      ],
      [
        "a sampling rate that is not a number",
        { ...kind, tracing: { collector: { samplingPercent: "half" } } },
        [],
        'Invalid stack config: tracing.collector.samplingPercent: must be a number from 0 to 100, got "half"; set e.g. `pulumi config set --path tracing.collector.samplingPercent 10` to keep one trace in ten',
      ],
      [
        "a collector enabled without an exporter",
        { ...kind, tracing: { jaeger: { enabled: false }, collector: { enabled: true } } },
        [],
        "Invalid stack config: tracing.collector.exporter.endpoint: is not set while tracing.collector.enabled is true and tracing.jaeger.enabled is false, so the gateway has nowhere to send spans; set `pulumi config set --path tracing.collector.exporter.endpoint <host>:4317`, or `pulumi config set --path tracing.jaeger.enabled true`",
      ],
      [
        "an exporter endpoint with a scheme",
        { ...kind, tracing: { collector: { enabled: true, exporter: { endpoint: "http://tempo:4317" } } } },
        [],
        'Invalid stack config: tracing.collector.exporter.endpoint: must be an OTLP gRPC host:port without a scheme, got "http://tempo:4317"; set e.g. `pulumi config set --path tracing.collector.exporter.endpoint tempo-distributor.tempo.svc:4317`',
      ],
      [
        "neither Jaeger nor the gateway",
        { ...kind, tracing: { jaeger: { enabled: false } } },
        [],
        "Invalid stack config: tracing.jaeger.enabled: is false and tracing.collector.enabled is false, so nothing would receive spans; set `pulumi config set --path tracing.enabled false` to switch tracing off, or enable one of them",
      ],
      [
        "Elasticsearch storage without its URL and password",
        { ...cloud, tracing: { storage: "elasticsearch" } },
        [],
        "Invalid stack config (2 problems):\n" +
          "  - tracing.elasticsearch.url: is required when tracing.storage is elasticsearch and the stack runs no Elasticsearch of its own (elastic.enabled is false); set it, e.g. `pulumi config set --path tracing.elasticsearch.url https://search.example.com:9200`, or `pulumi config set --path elastic.enabled true`\n" +
          "  - tracingElasticsearchPassword: is required when tracing.storage is elasticsearch; set the password of tracing.elasticsearch.username with `pulumi config set --secret tracingElasticsearchPassword <password>`",
      ],
      [
        "an Elasticsearch URL that is not one",
        { ...cloud, tracing: { storage: "elasticsearch", elasticsearch: { url: "search:9200" } } },
        ["tracingElasticsearchPassword"],
        'Invalid stack config: tracing.elasticsearch.url: must be an http:// or https:// URL, got "search:9200"; set e.g. `pulumi config set --path tracing.elasticsearch.url https://search-es-http.search.svc:9200`',
      ],
      [
        "a CA bundle that holds no certificate",
        {
          ...cloud,
          tracing: {
            storage: "elasticsearch",
            elasticsearch: { url: "https://search.example.com:9200", caBundle: "not a certificate" },
          },
        },
        ["tracingElasticsearchPassword"],
        'Invalid stack config: tracing.elasticsearch.caBundle: must be one or more PEM certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----), got "not a certificate"; set e.g. `pulumi config set --path tracing.elasticsearch.caBundle "$(cat ca.pem)"`',
      ],
      [
        "a CA bundle with a private key in it",
        {
          ...cloud,
          tracing: {
            storage: "elasticsearch",
            elasticsearch: {
              url: "https://search.example.com:9200",
              caBundle: `${CA_PEM}-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n`,
            },
          },
        },
        ["tracingElasticsearchPassword"],
        // The value is cut in the message, so the key material is never echoed.
        'Invalid stack config: tracing.elasticsearch.caBundle: must be one or more PEM certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----), got "-----BEGIN CERTIFICATE-----\\nMIIBszCCAVmgAwIBAgIUQ2E=\\n-----END CE…" (217 characters); set e.g. `pulumi config set --path tracing.elasticsearch.caBundle "$(cat ca.pem)"`',
      ],
      [
        "a CA bundle for the stack's own cluster",
        {
          ...cloud,
          elastic: { enabled: true },
          tracing: { storage: "elasticsearch", elasticsearch: { caBundle: CA_PEM } },
        },
        [],
        "Invalid stack config: tracing.elasticsearch.caBundle: is set, but Jaeger writes to the stack's own Elasticsearch, whose certificate it verifies with ECK's CA; remove it with `pulumi config rm --path tracing.elasticsearch.caBundle`, or set tracing.elasticsearch.url to the external cluster it verifies",
      ],
      [
        "a CA bundle for a plain-http cluster",
        {
          ...cloud,
          tracing: {
            storage: "elasticsearch",
            elasticsearch: { url: "http://search.example.com:9200", caBundle: CA_PEM },
          },
        },
        ["tracingElasticsearchPassword"],
        'Invalid stack config: tracing.elasticsearch.caBundle: is set, but tracing.elasticsearch.url "http://search.example.com:9200" is plain http, so there is no certificate to verify; set tracing.elasticsearch.url to the cluster\'s https:// URL, or remove it with `pulumi config rm --path tracing.elasticsearch.caBundle`',
      ],
      [
        "a retention shorter than an hour",
        { ...kind, tracing: { retention: "30m" } },
        [],
        'Invalid stack config: tracing.retention: must be at least 1h, got "30m"; set e.g. `pulumi config set --path tracing.retention 72h`',
      ],
      [
        "a misspelt gateway key",
        { ...kind, tracing: { collector: { samplingPercentage: 10 } } },
        [],
        "Invalid stack config: tracing.collector.samplingPercentage: is not a known key; remove it or use one of: enabled, exporter, replicas, samplingPercent",
      ],
    ];
    for (const [what, raw, secrets, message] of cases) {
      it(`for ${what}`, () => {
        expect(errorFor(raw, secrets)).to.equal(message);
      });
    }
  });

  it("turns retention into the Go durations Jaeger parses and whole days for index cleanup", () => {
    expect(goDuration("7d")).to.equal("168h");
    expect(goDuration("2w")).to.equal("336h");
    expect(goDuration("90m")).to.equal("90m");
    expect(goDuration("1h30s")).to.equal("3630s");
    expect(durationSeconds("1d12h")).to.equal(129600);
  });
});
