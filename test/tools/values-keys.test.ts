/**
 * Every values key the plan sets changes what the real chart renders: a key the chart at its
 * pinned version does not read (renamed or dropped by a new major, or never there) is a setting
 * that silently does nothing. Each key's value is changed alone (a boolean flipped, a number
 * raised, a string or list altered) and the release rendered again with the archive in
 * ../shared/charts; a render that fails also counts as read (the chart checked the value).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STACKS } from "../../tools/resources";
import { HELM_RELEASE, plan } from "../lib/helpers";
import { requireHelm } from "../lib/helm";
import { requireUpstream, upstreamPath } from "../lib/upstream";
import {
  differs,
  leafAt,
  KeyPath,
  leafPaths,
  noisyLines,
  perturbed,
  pool,
  renderText,
  withLeaf,
  withoutLeaf,
} from "../lib/values-keys";

/** A mark no chart renders by itself, numbered per key. */
const mark = (i: number) => `-vkmark${String(i)}x`;

/** At most two renders at once: the machines that run the suite have two cores. */
const WIDTH = Math.min(2, os.cpus().length);

describe("every values key the plan sets changes the real chart's render", function () {
  this.timeout(900000);

  it("in dev, prod and large: no key is ignored by its chart", async function () {
    requireUpstream(this, "charts");
    const helm = requireHelm(this);
    // A key proven read by a chart version in one stack is not rendered again for the next.
    const proven = new Set<string>();
    const ignored: string[] = [];
    let renders = 0;
    let keys = 0;
    for (const stack of STACKS) {
      const doc = await plan(stack);
      for (const r of doc.resources.filter((x) => x.type === HELM_RELEASE)) {
        const chart = String(r.inputs["chart"]).split("/").pop() ?? "";
        const version = String(r.inputs["version"]);
        const archive = path.join(upstreamPath("charts"), `${chart}-${version}.tgz`);
        expect(fs.existsSync(archive), archive).to.equal(true);
        const values = (r.inputs["values"] ?? {}) as Record<string, unknown>;
        const base = {
          helm,
          archive,
          release: String(r.inputs["name"]),
          namespace: String(r.inputs["namespace"]),
        };
        const [a, b] = await pool(
          [() => renderText({ ...base, values }), () => renderText({ ...base, values })],
          WIDTH,
        );
        renders += 2;
        if (a === undefined || b === undefined || !a.ok || !b.ok) {
          throw new Error(`${stack}: ${base.release} does not render: ${a?.ok === false ? a.error : ""}`);
        }
        const noisy = noisyLines(a.text, b.text);
        if (noisy === undefined) throw new Error(`${stack}: ${base.release} renders differently each time`);
        const id = (k: KeyPath) => `${chart}@${version}:${JSON.stringify(k)}`;
        const todo = leafPaths(values).filter((k) => !proven.has(id(k)));
        keys += todo.length;
        // One render first with every string leaf marked: a mark that shows up in the output proves
        // its key read, which leaves only the rest to render one key at a time.
        const strings = todo.filter((k) => typeof leafAt(values, k) === "string");
        const marked = strings.reduce(
          (v, k, i) => withLeaf(v, k, `${String(leafAt(values, k))}${mark(i)}`),
          values,
        );
        const all = await renderText({ ...base, values: marked });
        renders++;
        const seen = new Set(all.ok ? strings.filter((_k, i) => all.text.includes(mark(i))) : []);
        for (const k of seen) proven.add(id(k));
        const rest = todo.filter((k) => !seen.has(k));
        const results = await pool(
          rest.map(
            (key) => () =>
              renderText({ ...base, values: withLeaf(values, key, perturbed(leafAt(values, key))) }),
          ),
          WIDTH,
        );
        renders += rest.length;
        // A key whose changed value renders alike (an enum the chart compares with one value) is
        // tried once more without it: the chart's default in its place.
        const unchanged = rest.filter((_k, i) => {
          const res = results[i];
          return res !== undefined && res.ok && !differs(a.text, res.text, noisy);
        });
        const removed = await pool(
          unchanged.map((key) => () => renderText({ ...base, values: withoutLeaf(values, key) })),
          WIDTH,
        );
        renders += unchanged.length;
        for (const k of rest) if (!unchanged.includes(k)) proven.add(id(k));
        unchanged.forEach((key, i) => {
          const res = removed[i];
          if (res === undefined || !res.ok || differs(a.text, res.text, noisy)) proven.add(id(key));
          else ignored.push(`${stack}: ${base.release} (${chart} ${version}): ${key.join(".")}`);
        });
      }
    }
    console.log(`      ${keys} keys checked with ${renders} renders, ${ignored.length} ignored`);
    for (const line of ignored) console.log(`        ignored: ${line}`);
    expect(keys, "keys checked").to.be.greaterThan(300);
    expect(ignored, "values keys the chart ignores").to.deep.equal([]);
  });

  it("reports a key the chart does not read, and counts one it does", async function () {
    requireUpstream(this, "charts");
    const helm = requireHelm(this);
    const doc = await plan("dev");
    const r = doc.resources.find((x) => x.type === HELM_RELEASE && x.inputs["name"] === "metrics-server");
    expect(r, "dev's metrics-server release").to.not.equal(undefined);
    const base = {
      helm,
      archive: path.join(upstreamPath("charts"), `metrics-server-${String(r?.inputs["version"])}.tgz`),
      release: "metrics-server",
      namespace: String(r?.inputs["namespace"]),
    };
    const values = {
      ...((r?.inputs["values"] ?? {}) as Record<string, unknown>),
      replicas: 1,
      notAKey: true,
    };
    const [a, b, unread, read] = await pool(
      [
        () => renderText({ ...base, values }),
        () => renderText({ ...base, values }),
        () => renderText({ ...base, values: withLeaf(values, ["notAKey"], false) }),
        () => renderText({ ...base, values: withLeaf(values, ["replicas"], 2) }),
      ],
      WIDTH,
    );
    if (!a?.ok || !b?.ok || !unread?.ok || !read?.ok) throw new Error("metrics-server does not render");
    const noisy = noisyLines(a.text, b.text) ?? new Set<number>();
    expect(differs(a.text, unread.text, noisy), "notAKey changes the render").to.equal(false);
    expect(differs(a.text, read.text, noisy), "replicas changes the render").to.equal(true);
  });
});
