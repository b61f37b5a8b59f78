import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { PLAIN_KEYS, SECRET_KEYS, STACK_KEYS, parseStackConfig } from "../components/core/config";
import { KeyDeclaration } from "../components/kit";
import { formatMarkdown, renderConfigReference, renderPulumiYaml } from "../tools/lib/config-docs";
import { PROJECT_DIR } from "./lib/helpers";

function read(file: string): string {
  return fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
}

const objects = Object.entries(STACK_KEYS).filter(
  (e): e is [string, Extract<KeyDeclaration, { kind: "object" }>] => e[1].kind === "object",
);

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
      expect(decl.kind === "secret", key).to.equal((SECRET_KEYS as readonly string[]).includes(key));
    }
  });

  for (const clusterType of ["kind", "cloud"]) {
    it(`give the defaults the reader applies, on ${clusterType}`, () => {
      const config = parseStackConfig({ cluster: { type: clusterType, context: "x" } }) as unknown as Record<
        string,
        Record<string, unknown>
      >;
      for (const [key, decl] of objects) {
        for (const [field, f] of Object.entries(decl.fields)) {
          const parsed = config[key]?.[field];
          if (f.kind === "custom") continue; // its reader's defaults, tested with that reader
          if (f.kind === "string" && f.defaultsTo !== undefined) {
            expect(parsed, `${key}.${field}`).to.equal(config[key]?.[f.defaultsTo]);
            continue;
          }
          if (
            f.kind === "storage" ||
            (f.kind !== "boolean" && f.kind !== "integer" && f.default === undefined)
          ) {
            // No default: the field is absent unless set (required ones are set above).
            if (!(f.kind === "string" || f.kind === "enum") || f.required !== true) {
              expect(parsed, `${key}.${field}`).to.equal(undefined);
            }
            continue;
          }
          const expected =
            f.kind === "boolean" && clusterType === "kind" && f.defaultOnKind !== undefined
              ? f.defaultOnKind
              : f.default;
          expect(parsed, `${key}.${field}`).to.equal(expected);
        }
      }
    });
  }

  it("bound every declared count, so a typo such as 10000 replicas is refused", () => {
    for (const [key, decl] of objects) {
      for (const [field, f] of Object.entries(decl.fields)) {
        if (f.kind !== "integer") continue;
        expect(f.max, `${key}.${field}`).to.be.below(Number.MAX_SAFE_INTEGER);
        expect(() =>
          parseStackConfig({ cluster: { type: "kind", context: "x" }, [key]: { [field]: f.max + 1 } }),
        ).to.throw(`${key}.${field}: must be a whole number from ${f.min} to ${f.max}, got ${f.max + 1}`);
      }
    }
  });
});
