import { expect } from "chai";
import { errorFor } from "./lib/config-error";
import { stackRawConfig } from "./lib/helpers";
import { parseStackConfig } from "../components/core";
import { configWarnings, partsRunning } from "../components/core";
import { DEFAULT_SCHEMA_FROM } from "../components/logging";

const kind = { cluster: { type: "kind", context: "kind-observability" } };
const buckets = { chunks: "loki-chunks" };
const s3 = { region: "eu-west-1", buckets, existingSecret: "loki-object-storage" };
const BOTH_KEYS = ["lokiS3AccessKeyId", "lokiS3SecretAccessKey"];

describe("logging config", () => {
  it("defaults to a laptop Loki: Monolithic on its filesystem volume, no auth, Alloy", () => {
    const cfg = parseStackConfig(kind);
    expect(cfg.loki).to.deep.equal({
      enabled: true,
      mode: "Monolithic",
      scale: "small",
      singleBinary: { replicas: 1 },
      simpleScalable: { read: 0, write: 0, backend: 0 },
      gateway: { replicas: 1 },
      persistence: { size: "10Gi" },
      schemaFrom: DEFAULT_SCHEMA_FROM,
      retention: "7d",
      authEnabled: false,
      tenant: "observability",
      caches: false,
    });
    expect(DEFAULT_SCHEMA_FROM).to.equal("2024-04-01");
    expect(cfg.logCollector).to.deep.equal({ enabled: true, kind: "alloy" });
  });

  it("accepts the ruler and admin buckets a stack file still names, and warns that they do nothing", () => {
    const named = parseStackConfig({
      ...kind,
      loki: {
        mode: "SimpleScalable",
        objectStorage: {
          ...s3,
          buckets: { chunks: "loki-chunks", ruler: "loki-ruler", admin: "loki-admin" },
        },
      },
    });
    expect(configWarnings(named, partsRunning(named))).to.deep.equal([
      "loki.objectStorage.buckets.ruler: is set but does nothing (the loki chart reads it only for Loki's ruler, which this stack keeps off); remove it with `pulumi config rm --path loki.objectStorage.buckets.ruler`",
      "loki.objectStorage.buckets.admin: is set but does nothing (the loki chart read it only for Grafana Enterprise Logs, which it no longer installs); remove it with `pulumi config rm --path loki.objectStorage.buckets.admin`",
    ]);
    const chunksOnly = parseStackConfig({ ...kind, loki: { mode: "SimpleScalable", objectStorage: s3 } });
    expect(configWarnings(chunksOnly, partsRunning(chunksOnly))).to.deep.equal([]);
  });

  it("reads dev as the defaults and prod as SimpleScalable on S3 with an existing Secret", () => {
    expect(parseStackConfig(stackRawConfig("dev")).loki).to.deep.equal(parseStackConfig(kind).loki);
    const prod = parseStackConfig(stackRawConfig("prod"));
    expect(prod.loki).to.deep.equal({
      enabled: true,
      mode: "SimpleScalable",
      scale: "small",
      singleBinary: { replicas: 0 },
      simpleScalable: { read: 3, write: 3, backend: 3 },
      gateway: { replicas: 2 },
      persistence: { size: "50Gi" },
      objectStorage: {
        type: "s3",
        endpoint: "s3.eu-west-1.amazonaws.com",
        region: "eu-west-1",
        buckets: { chunks: "observability-prod-loki-chunks" },
        forcePathStyle: false,
        insecure: false,
        credentials: { source: "existingSecret", secretName: "loki-object-storage" },
      },
      schemaFrom: "2024-04-01",
      retention: "30d",
      authEnabled: true,
      tenant: "platform",
      caches: true,
    });
    expect(prod.logCollector).to.deep.equal({ enabled: true, kind: "alloy" });
  });

  it("takes the S3 key pair from the secret keys when both are set, as the program's own Secret", () => {
    const cfg = parseStackConfig(
      { ...kind, loki: { objectStorage: { region: "us-east-1", buckets } } },
      new Set(BOTH_KEYS),
    );
    expect(cfg.loki.objectStorage).to.deep.equal({
      type: "s3",
      region: "us-east-1",
      buckets,
      forcePathStyle: false,
      insecure: false,
      credentials: { source: "config", secretName: "loki-s3-credentials" },
    });
  });

  it("accepts the transitional mode with both kinds of targets and object storage", () => {
    const cfg = parseStackConfig({
      ...kind,
      loki: { mode: "Monolithic<->SimpleScalable", objectStorage: s3, simpleScalable: { read: 2 } },
    });
    expect(cfg.loki.mode).to.equal("Monolithic<->SimpleScalable");
    expect(cfg.loki.singleBinary.replicas).to.equal(1);
    expect(cfg.loki.simpleScalable).to.deep.equal({ read: 2, write: 3, backend: 3 });
    expect(cfg.loki.caches).to.equal(true);
  });

  it("reads the chart's former mode names as the current ones", () => {
    expect(parseStackConfig({ ...kind, loki: { mode: "SingleBinary" } }).loki.mode).to.equal("Monolithic");
    const migrating = parseStackConfig({
      ...kind,
      loki: { mode: "SingleBinary<->SimpleScalable", objectStorage: s3 },
    }).loki;
    expect(migrating.mode).to.equal("Monolithic<->SimpleScalable");
    expect(migrating.singleBinary.replicas).to.equal(1);
    expect(migrating.simpleScalable).to.deep.equal({ read: 3, write: 3, backend: 3 });
  });

  it("reads a schema date that a YAML stack file turned into a midnight timestamp as that date", () => {
    const cfg = parseStackConfig({ ...kind, loki: { schemaFrom: "2025-06-01T00:00:00Z" } });
    expect(cfg.loki.schemaFrom).to.equal("2025-06-01");
  });

  it("switches the collector off with Loki, and picks Promtail on request", () => {
    expect(parseStackConfig({ ...kind, loki: { enabled: false } }).logCollector.enabled).to.equal(false);
    expect(parseStackConfig({ ...kind, logCollector: { kind: "promtail" } }).logCollector).to.deep.equal({
      enabled: true,
      kind: "promtail",
    });
  });

  describe("errors name the key path, what is wrong and what to set", () => {
    const cases: [string, Record<string, unknown>, string[], string][] = [
      [
        "SimpleScalable without object storage",
        { loki: { mode: "SimpleScalable" } },
        [],
        "Invalid stack config: loki.objectStorage: is required when loki.mode is SimpleScalable: the read, write and backend targets share data only through object storage; set an S3-compatible bucket (loki.objectStorage.region, loki.objectStorage.buckets.chunks and credentials; loki.objectStorage.endpoint for a store you run yourself), e.g. `pulumi config set --path loki.objectStorage.buckets.chunks loki-chunks`",
      ],
      [
        "the transitional mode without object storage",
        { loki: { mode: "Monolithic<->SimpleScalable" } },
        [],
        "Invalid stack config: loki.objectStorage: is required when loki.mode is Monolithic<->SimpleScalable: the read, write and backend targets share data only through object storage; set an S3-compatible bucket (loki.objectStorage.region, loki.objectStorage.buckets.chunks and credentials; loki.objectStorage.endpoint for a store you run yourself), e.g. `pulumi config set --path loki.objectStorage.buckets.chunks loki-chunks`",
      ],
      [
        "Monolithic with two replicas and no object storage",
        { loki: { singleBinary: { replicas: 2 } } },
        [],
        "Invalid stack config: loki.singleBinary.replicas: is 2, but without loki.objectStorage Loki keeps its data on one filesystem volume that replicas cannot share; set `pulumi config set --path loki.singleBinary.replicas 1`, or configure loki.objectStorage",
      ],
      [
        "scalable replicas in Monolithic mode",
        { loki: { simpleScalable: { write: 3 } } },
        [],
        "Invalid stack config: loki.simpleScalable.write: is 3, but loki.mode is Monolithic, which runs no read, write or backend targets; remove it with `pulumi config rm --path loki.simpleScalable.write`, or set `pulumi config set --path loki.mode Monolithic<->SimpleScalable` to run both while migrating",
      ],
      [
        "single-binary replicas in SimpleScalable mode",
        { loki: { mode: "SimpleScalable", singleBinary: { replicas: 1 }, objectStorage: s3 } },
        [],
        "Invalid stack config: loki.singleBinary.replicas: is 1, but loki.mode is SimpleScalable, which runs no single binary; remove it with `pulumi config rm --path loki.singleBinary.replicas`, or set `pulumi config set --path loki.mode Monolithic<->SimpleScalable` to run both while migrating",
      ],
      [
        "object storage without a chunks bucket",
        { loki: { objectStorage: { ...s3, buckets: {} } } },
        [],
        "Invalid stack config: loki.objectStorage.buckets.chunks: is required but not set; set it, e.g. `pulumi config set --path loki.objectStorage.buckets.chunks loki-chunks`",
      ],
      [
        "object storage without a region",
        { loki: { objectStorage: { buckets, existingSecret: "loki-object-storage" } } },
        [],
        "Invalid stack config: loki.objectStorage.region: is required but not set; set it, e.g. `pulumi config set --path loki.objectStorage.region eu-west-1`",
      ],
      [
        "object storage without credentials",
        { loki: { objectStorage: { region: "eu-west-1", buckets } } },
        [],
        "Invalid stack config: loki.objectStorage.existingSecret: is not set and neither are the secret keys lokiS3AccessKeyId and lokiS3SecretAccessKey, so Loki has no credentials for the bucket; name a Secret in namespace logging with keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, e.g. `pulumi config set --path loki.objectStorage.existingSecret loki-object-storage`, or set `pulumi config set --secret lokiS3AccessKeyId <id>` and `pulumi config set --secret lokiS3SecretAccessKey <key>`",
      ],
      [
        "half of the secret key pair",
        { loki: { objectStorage: { region: "eu-west-1", buckets } } },
        ["lokiS3AccessKeyId"],
        "Invalid stack config: lokiS3SecretAccessKey: is not set but lokiS3AccessKeyId is, and S3 needs both halves of the key pair; set it with `pulumi config set --secret lokiS3SecretAccessKey <value>`",
      ],
      [
        "an existing Secret and secret keys at once",
        { loki: { objectStorage: s3 } },
        BOTH_KEYS,
        "Invalid stack config: loki.objectStorage.existingSecret: is set together with the secret keys lokiS3AccessKeyId and lokiS3SecretAccessKey, so the credentials have two sources; keep one: remove loki.objectStorage.existingSecret, or `pulumi config rm lokiS3AccessKeyId` and `pulumi config rm lokiS3SecretAccessKey`",
      ],
      [
        "secret keys without an S3 bucket to use them",
        {},
        BOTH_KEYS,
        "Invalid stack config (2 problems):\n" +
          "  - lokiS3AccessKeyId: is set, but loki.objectStorage is not an S3 bucket, so nothing uses it; remove it with `pulumi config rm lokiS3AccessKeyId`, or configure loki.objectStorage\n" +
          "  - lokiS3SecretAccessKey: is set, but loki.objectStorage is not an S3 bucket, so nothing uses it; remove it with `pulumi config rm lokiS3SecretAccessKey`, or configure loki.objectStorage",
      ],
      [
        "a bucket name S3 refuses",
        { loki: { objectStorage: { ...s3, buckets: { chunks: "Loki_Chunks", ruler: "loki-ruler" } } } },
        [],
        'Invalid stack config: loki.objectStorage.buckets.chunks: must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens), got "Loki_Chunks"; set e.g. `pulumi config set --path loki.objectStorage.buckets.chunks loki-chunks`',
      ],
      [
        "an endpoint with a scheme",
        { loki: { objectStorage: { ...s3, endpoint: "https://s3.example.com" } } },
        [],
        'Invalid stack config: loki.objectStorage.endpoint: must be a host name with an optional port and no scheme (loki.objectStorage.insecure picks http), got "https://s3.example.com"; set e.g. `pulumi config set --path loki.objectStorage.endpoint s3.eu-west-1.amazonaws.com`',
      ],
      [
        "an existing Secret that is no Kubernetes name",
        { loki: { objectStorage: { ...s3, existingSecret: "Loki_S3" } } },
        [],
        'Invalid stack config: loki.objectStorage.existingSecret: must be a Kubernetes Secret name (at most 63 lowercase letters, digits and -, starting and ending with a letter or digit), got "Loki_S3"; set e.g. `pulumi config set --path loki.objectStorage.existingSecret loki-object-storage`',
      ],
      [
        "the bundled MinIO, which the chart deprecated",
        { loki: { mode: "SimpleScalable", objectStorage: { type: "minio" } } },
        [],
        'Invalid stack config: loki.objectStorage.type: is minio, the loki chart\'s bundled MinIO, which the chart deprecated and no longer renders (its removal is announced); this stack does not run it; point Loki at an S3-compatible bucket with `pulumi config set --path loki.objectStorage.type s3` and its endpoint, region, buckets and credentials; a stack whose logs are in the bundled MinIO moves them first (docs/logs.md, "Leaving the bundled MinIO")',
      ],
      [
        "an unknown object storage type",
        { loki: { objectStorage: { type: "gcs", region: "europe-west1" } } },
        [],
        'Invalid stack config: loki.objectStorage.type: must be one of s3, got "gcs"; set one of them, e.g. `pulumi config set --path loki.objectStorage.type s3`',
      ],
      [
        "an unknown mode",
        { loki: { mode: "Microservices" } },
        [],
        'Invalid stack config: loki.mode: must be one of Monolithic, SimpleScalable, Distributed, Monolithic<->SimpleScalable, SimpleScalable<->Distributed, SingleBinary, SingleBinary<->SimpleScalable, got "Microservices"; set one of them, e.g. `pulumi config set --path loki.mode Monolithic`',
      ],
      [
        "an unknown collector",
        { logCollector: { kind: "fluent-bit" } },
        [],
        'Invalid stack config: logCollector.kind: must be one of alloy, promtail, got "fluent-bit"; set one of them, e.g. `pulumi config set --path logCollector.kind alloy`',
      ],
      [
        "a malformed retention",
        { loki: { retention: "7 days" } },
        [],
        'Invalid stack config: loki.retention: must be a duration such as 30s, 15m, 12h, 10d or 2w, got "7 days"; set e.g. `pulumi config set --path loki.retention 7d`',
      ],
      [
        "a retention below a day",
        { loki: { retention: "12h" } },
        [],
        'Invalid stack config: loki.retention: must be at least 24h, the compactor\'s smallest retention period, got "12h"; set e.g. `pulumi config set --path loki.retention 7d`',
      ],
      [
        "a malformed schema date",
        { loki: { schemaFrom: "2024/04/01" } },
        [],
        'Invalid stack config: loki.schemaFrom: must be a calendar date in the form YYYY-MM-DD, got "2024/04/01"; set e.g. `pulumi config set --path loki.schemaFrom 2024-04-01`, and never change it once Loki holds data',
      ],
      [
        "a schema date that does not exist",
        { loki: { schemaFrom: "2024-02-30" } },
        [],
        'Invalid stack config: loki.schemaFrom: must be a calendar date in the form YYYY-MM-DD, got "2024-02-30"; set e.g. `pulumi config set --path loki.schemaFrom 2024-04-01`, and never change it once Loki holds data',
      ],
      [
        "a tenant id Loki refuses",
        { loki: { tenant: "team a" } },
        [],
        'Invalid stack config: loki.tenant: must be a Loki tenant id (letters, digits and !-_.*\'(), at most 150), got "team a"; set e.g. `pulumi config set --path loki.tenant observability`',
      ],
      [
        "a collector switched on without Loki",
        { loki: { enabled: false }, logCollector: { enabled: true } },
        [],
        "Invalid stack config: logCollector.enabled: is true but loki.enabled is false, and the collector has nowhere to push; set `pulumi config set --path loki.enabled true`, or `pulumi config set --path logCollector.enabled false`",
      ],
      [
        "a misspelt Loki field",
        { loki: { replicas: 2 } },
        [],
        "Invalid stack config: loki.replicas: is not a known key; remove it or use one of: authEnabled, caches, enabled, gateway, mode, objectStorage, persistence, retention, scale, schemaFrom, simpleScalable, singleBinary, tenant",
      ],
    ];
    for (const [what, raw, secretKeys, message] of cases) {
      it(`for ${what}`, () => {
        expect(errorFor({ ...kind, ...raw }, secretKeys)).to.equal(message);
      });
    }
  });
});
