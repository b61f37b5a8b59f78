import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlanResource } from "../../tools/lib/plan";
import { diffRendered, renderedDataLoss, renderMarkdown, PlanDiff } from "../../tools/lib/plan-diff";
import { findHelm, renderRelease } from "../../tools/lib/render";
import { PROJECT_DIR } from "../lib/helpers";

/** A small chart of our own, so the test renders offline: a StatefulSet with a claim template, a Secret. */
const CHART = {
  "Chart.yaml": "apiVersion: v2\nname: store\nversion: 1.0.0\n",
  "values.yaml": "replicas: 1\nsize: 10Gi\npassword: changeme\n",
  "templates/statefulset.yaml": `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}
spec:
  serviceName: {{ .Release.Name }}
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: { app: store }
  template:
    metadata:
      labels: { app: store }
    spec:
      containers:
        - name: store
          image: busybox:1.36
  volumeClaimTemplates:
    - metadata: { name: data }
      spec:
        accessModes: [ReadWriteOnce]
        resources: { requests: { storage: {{ .Values.size }} } }
`,
  "templates/secret.yaml": `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-auth
stringData:
  password: {{ .Values.password | quote }}
`,
};

describe("plan:diff --render", function () {
  this.timeout(60000);
  let dir = "";
  let helm = "";

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-test-"));
    for (const [file, text] of Object.entries(CHART)) {
      fs.mkdirSync(path.dirname(path.join(dir, "store", file)), { recursive: true });
      fs.writeFileSync(path.join(dir, "store", file), text);
    }
    helm = findHelm(PROJECT_DIR);
  });

  after(() => {
    if (dir !== "") fs.rmSync(dir, { recursive: true, force: true });
  });

  function release(values: Record<string, unknown>): PlanResource {
    return {
      type: "kubernetes:helm.sh/v3:Release",
      name: "store",
      dependsOn: [],
      inputs: { chart: path.join(dir, "store"), name: "store", namespace: "data", version: "1.0.0", values },
    };
  }

  it("renders a release's objects with helm, and never shows a Secret's values", () => {
    const objects = renderRelease(helm, release({ password: "hunter2" }));
    expect(objects.map((o) => o.id)).to.deep.equal([
      "apps/v1 StatefulSet data/store",
      "v1 Secret data/store-auth",
    ]);
    expect(JSON.stringify(objects)).to.not.include("hunter2");
  });

  it("lists the objects that change by kind, namespace and name, with their fields, and flags immutable ones", () => {
    const changes = diffRendered(
      renderRelease(helm, release({ replicas: 1, size: "10Gi", password: "a" })),
      renderRelease(helm, release({ replicas: 2, size: "20Gi", password: "b" })),
    );
    expect(changes).to.deep.equal([
      {
        id: "apps/v1 StatefulSet data/store",
        change: "changed",
        fields: [
          { path: "spec.replicas", kind: "changed", old: 1, new: 2 },
          {
            path: "spec.volumeClaimTemplates[0].spec.resources.requests.storage",
            kind: "changed",
            old: "10Gi",
            new: "20Gi",
          },
        ],
        warnings: [
          "spec.volumeClaimTemplates changes, which Kubernetes does not change in place: the Helm upgrade fails (and is rolled back)",
        ],
      },
    ]);
    const diff: PlanDiff = {
      stack: "dev",
      base: "base",
      head: "head",
      identical: false,
      replaceOrDelete: [],
      dataAtRisk: false,
      added: [],
      removed: [],
      changed: [
        {
          urn: "urn:pulumi:dev::observability::kubernetes:helm.sh/v3:Release::store",
          type: "kubernetes:helm.sh/v3:Release",
          name: "store",
          values: [{ path: "replicas", kind: "changed", old: 1, new: 2 }],
          inputs: [],
          options: [],
          objects: changes,
        },
      ],
      outputs: [],
      secretConfig: [],
    };
    const md = renderMarkdown(diff);
    // Repeated at the top, where what the cluster will refuse belongs.
    expect(md.indexOf("Inside the charts")).to.be.lessThan(md.indexOf("#### Changed"));
    expect(md).to.include(
      "- `store`: `apps/v1 StatefulSet data/store`: spec.volumeClaimTemplates changes, which Kubernetes does not change in place: the Helm upgrade fails (and is rolled back)",
    );
    expect(renderedDataLoss(diff)).to.equal(false);
    expect(md).to.include(
      [
        "Rendered objects (helm template), 1 differ:",
        "",
        "```diff",
        "~ apps/v1 StatefulSet data/store",
        "! spec.volumeClaimTemplates changes, which Kubernetes does not change in place: the Helm upgrade fails (and is rolled back)",
        "-   spec.replicas: 1",
        "+   spec.replicas: 2",
        '-   spec.volumeClaimTemplates[0].spec.resources.requests.storage: "10Gi"',
        '+   spec.volumeClaimTemplates[0].spec.resources.requests.storage: "20Gi"',
        "```",
      ].join("\n"),
    );
  });

  it("warns that a claim the chart no longer renders is deleted with its data", () => {
    const claim = {
      id: "v1 PersistentVolumeClaim data/cache",
      kind: "PersistentVolumeClaim",
      body: { apiVersion: "v1", kind: "PersistentVolumeClaim" },
    };
    const gone = diffRendered([claim], []);
    expect(
      renderedDataLoss({
        stack: "dev",
        base: "base",
        head: "head",
        identical: false,
        replaceOrDelete: [],
        dataAtRisk: false,
        added: [],
        removed: [],
        changed: [{ urn: "u", type: "t", name: "cache", values: [], inputs: [], options: [], objects: gone }],
        outputs: [],
        secretConfig: [],
      }),
    ).to.equal(true);
    expect(gone).to.deep.equal([
      {
        id: "v1 PersistentVolumeClaim data/cache",
        change: "removed",
        fields: [],
        warnings: ["Helm deletes this claim, and with it its volume's data"],
      },
    ]);
  });

  it("says why a chart cannot be rendered", () => {
    const missing = { ...release({}), inputs: { ...release({}).inputs, chart: path.join(dir, "nope") } };
    expect(() => renderRelease(helm, missing)).to.throw(/^helm template store failed: /);
  });
});
