import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { PLAIN_KEYS, SECRET_KEYS, STACK_KEYS, parseStackConfig } from "../components/core";
import { Field, Fields, KeyDeclaration, MapDeclaration } from "../components/kit";
import { formatMarkdown, renderConfigReference, renderPulumiYaml } from "../tools/lib/config-docs";
import { PROJECT_DIR } from "./lib/helpers";

function read(file: string): string {
  return fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
}

const objects = Object.entries(STACK_KEYS).filter(
  (e): e is [string, Extract<KeyDeclaration, { kind: "object" }>] => e[1].kind === "object",
);

const maps = Object.entries(STACK_KEYS).filter((e): e is [string, MapDeclaration] => e[1].kind === "map");

/** Every field of a declaration with its path below the key (`route.groupWait`), groups included. */
function walk(fields: Fields, prefix = ""): [string, Field][] {
  return Object.entries(fields).flatMap(([k, f]): [string, Field][] => [
    [`${prefix}${k}`, f],
    ...(f.kind === "group" ? walk(f.fields, `${prefix}${k}.`) : []),
  ]);
}

function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
}

/** `{a: {b: value}}` for the path `a.b`. */
function nested(path: string, value: unknown): unknown {
  return path
    .split(".")
    .reverse()
    .reduce<unknown>((v, k) => ({ [k]: v }), value);
}

describe("config declarations", () => {
  it("write Pulumi.yaml: run `npm run gen` after changing a declaration", () => {
    expect(read("Pulumi.yaml")).to.equal(renderPulumiYaml(STACK_KEYS));
  });

  it("write docs/config.md: run `npm run gen` after changing a declaration", async () => {
    const file = path.join(PROJECT_DIR, "docs", "config.md");
    expect(read(path.join("docs", "config.md"))).to.equal(
      await formatMarkdown(renderConfigReference(STACK_KEYS), file),
    );
  });

  it("declare every key the program reads, secrets as secrets", () => {
    expect(Object.keys(STACK_KEYS).sort()).to.deep.equal([...PLAIN_KEYS, ...SECRET_KEYS].sort());
    for (const [key, decl] of Object.entries(STACK_KEYS)) {
      expect(decl.kind === "secret", key).to.equal(SECRET_KEYS.includes(key));
      // Every plain key field by field: its types, defaults and messages come from the declaration.
      if (decl.kind !== "secret") expect(["object", "map", "value"], key).to.include(decl.kind);
    }
  });

  for (const clusterType of ["kind", "cloud"]) {
    it(`give the defaults the reader applies, on ${clusterType}`, () => {
      const config = parseStackConfig({ cluster: { type: clusterType, context: "x" } }) as unknown as Record<
        string,
        Record<string, unknown>
      >;
      for (const [key, decl] of objects) {
        for (const [field, f] of walk(decl.fields)) {
          const parsed = at(config[key], field);
          if (f.kind === "custom") continue; // its reader's defaults, tested with that reader
          if (f.kind === "group") {
            expect(parsed, `${key}.${field}`).to.be.an("object");
            continue;
          }
          if (f.kind === "string" && f.defaultsTo !== undefined) {
            expect(parsed, `${key}.${field}`).to.equal(at(config[key], f.defaultsTo));
            continue;
          }
          if (
            f.kind === "storage" ||
            (f.kind !== "boolean" && f.kind !== "integer" && f.kind !== "number" && f.default === undefined)
          ) {
            // No default: the field is absent unless set (required ones are set above).
            if (!(f.kind === "string" || f.kind === "enum") || f.required !== true) {
              expect(parsed, `${key}.${field}`).to.equal(undefined);
            }
            continue;
          }
          if (f.kind === "strings") {
            expect(parsed, `${key}.${field}`).to.deep.equal(f.default);
            continue;
          }
          const expected =
            (f.kind === "boolean" || f.kind === "number" || f.kind === "enum") &&
            clusterType === "kind" &&
            f.defaultOnKind !== undefined
              ? f.defaultOnKind
              : f.default;
          expect(parsed, `${key}.${field}`).to.equal(expected);
        }
      }
    });
  }

  it("bound every declared count, so a typo such as 10000 replicas is refused", () => {
    for (const [key, decl] of objects) {
      for (const [field, f] of walk(decl.fields)) {
        if (f.kind !== "integer") continue;
        expect(f.max, `${key}.${field}`).to.be.below(Number.MAX_SAFE_INTEGER);
        expect(() =>
          parseStackConfig({ cluster: { type: "kind", context: "x" }, [key]: nested(field, f.max + 1) }),
        ).to.throw(`${key}.${field}: must be a whole number from ${f.min} to ${f.max}, got ${f.max + 1}`);
      }
    }
  });

  it("refuse a number outside its declared bounds, with the declared words", () => {
    let checked = 0;
    for (const [key, decl] of objects) {
      for (const [field, f] of walk(decl.fields)) {
        if (f.kind !== "number") continue;
        const outside = [
          f.aboveMin === true ? f.min : f.min - 1,
          ...(f.max !== undefined ? [f.max + 1] : []),
        ];
        if (f.whole === true) outside.push(f.min + 0.5);
        for (const value of outside) {
          expect(() =>
            parseStackConfig({ cluster: { type: "kind", context: "x" }, [key]: nested(field, value) }),
          ).to.throw(`${key}.${field}: must be ${f.what}, got ${value}`);
          checked++;
        }
      }
    }
    expect(checked).to.be.above(0);
  });

  it("take every declared name of a map key and refuse any other, naming the declared ones", () => {
    expect(maps).to.not.deep.equal([]);
    for (const [key, decl] of maps) {
      const cluster = { type: "kind", context: "x" };
      expect(() =>
        parseStackConfig({ cluster, [key]: Object.fromEntries(decl.names.map((n) => [n, {}])) }),
      ).to.not.throw();
      expect(() => parseStackConfig({ cluster, [key]: { zzz: {} } })).to.throw(
        `${key}.zzz: is not a known ${decl.entry}; use one of: ${decl.names.join(", ")}`,
      );
    }
  });
});
