import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_DIR, stackRawConfig } from "./lib/helpers";
import { PLAIN_KEYS, SECRET_KEYS, parseStackConfig } from "../components/core";
import { CONTAINER_IDS } from "../components/core";

interface Declared {
  description?: string;
  type?: string;
  default?: unknown;
  secret?: boolean;
}

const project = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
  name: string;
  config: Record<string, Declared>;
};

/** Every `a.b.c` key path a config object sets. */
function paths(value: unknown, prefix: string): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => paths(v, `${prefix}.${k}`));
}

/** The fields the parser reads at a key path, from its "not a known key" message. */
function knownFields(keyPath: string): string[] {
  const parts = keyPath.split(".");
  let probe: Record<string, unknown> = { zzz: 1 };
  for (const part of parts.slice(1).reverse()) probe = { [part]: probe };
  const raw = { cluster: { type: "kind", context: "kind-observability" }, [parts[0] ?? ""]: probe };
  try {
    parseStackConfig(raw);
  } catch (err) {
    const line = (err as Error).message
      .split("\n")
      .find((l) => l.includes(`${keyPath}.zzz: is not a known key`));
    const list = /use one of: (.*)$/.exec(line ?? "")?.[1];
    if (list !== undefined) return list.split(", ");
  }
  throw new Error(`could not probe the fields of ${keyPath}`);
}

describe("Pulumi.yaml", () => {
  it("declares every top-level key the program reads, and no other", () => {
    expect(project.name).to.equal("observability");
    expect(Object.keys(project.config).sort()).to.deep.equal([...PLAIN_KEYS, ...SECRET_KEYS].sort());
  });

  it("describes every key with its default", () => {
    for (const [key, decl] of Object.entries(project.config)) {
      expect(decl.description, key).to.be.a("string");
      expect(decl.description, key).to.match(/Default: |Required\./);
    }
  });

  it("gives every key a default, without which the Pulumi CLI refuses to run a stack that lacks it", () => {
    for (const [key, decl] of Object.entries(project.config)) {
      expect(decl.default, key).to.not.equal(undefined);
      if (SECRET_KEYS.includes(key)) {
        // Unset; `secret: true` would make the CLI reject this plain default.
        expect(decl.default, key).to.equal("");
        expect(decl.secret, key).to.equal(undefined);
        expect(decl.description, key).to.include("--secret");
      } else if (key === "sizing") {
        expect(decl.default).to.equal(parseStackConfig({ cluster: { type: "kind", context: "x" } }).sizing);
      } else {
        // Structured keys: the code's defaults apply.
        expect(decl.default, key).to.deep.equal({});
      }
    }
  });

  it("documents every field the stack files set", () => {
    for (const stack of ["dev", "prod"]) {
      for (const [key, value] of Object.entries(stackRawConfig(stack))) {
        for (const p of paths(value, key)) {
          const text = project.config[key]?.description ?? "";
          const documented =
            p === key || text.includes(p) || (key === "resources" && text.includes(p.split(".")[1] ?? ""));
          expect(documented, `${stack}: ${p}`).to.equal(true);
        }
      }
    }
  });

  it("documents exactly the fields the program reads", () => {
    for (const [key, decl] of Object.entries(project.config)) {
      if (key === "resources") continue; // a map by container id, checked below
      // A key path that ends a sentence ("… thanos.enabled.") keeps its full stop out.
      const documented = [
        ...(decl.description ?? "").matchAll(new RegExp(`(?:^|\\s)(${key}\\.[\\w.]+)`, "g")),
      ].map((m) => (m[1] ?? "").replace(/\.+$/, ""));
      const parents = new Set([
        key,
        ...documented.filter((d) => d.split(".").length > 2).map((d) => d.replace(/\.[^.]+$/, "")),
      ]);
      if (documented.length === 0) continue; // a plain value, not an object
      for (const parent of parents) {
        const read = knownFields(parent).map((f) => `${parent}.${f}`);
        const documentedHere = documented.filter(
          (d) => d.startsWith(`${parent}.`) && d.split(".").length === parent.split(".").length + 1,
        );
        // Direct child objects only: `tracing.collector.exporter` belongs to `tracing.collector`.
        const objectFields = [...parents].filter(
          (p) => p.startsWith(`${parent}.`) && p.split(".").length === parent.split(".").length + 1,
        );
        expect([...new Set([...documentedHere, ...objectFields])].sort(), parent).to.deep.equal(read.sort());
      }
    }
  });

  it("names every container of the resources key", () => {
    const text = project.config["resources"]?.description ?? "";
    for (const id of CONTAINER_IDS) expect(text, id).to.include(id);
  });
});
