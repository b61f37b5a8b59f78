import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR, run, stackInput } from "./lib/helpers";

/** The pages a user reads: the README and every page under docs/. */
const PAGES = [
  "README.md",
  ...fs
    .readdirSync(path.join(PROJECT_DIR, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
];

const text = (page: string) => fs.readFileSync(path.join(PROJECT_DIR, page), "utf8");

/** The page's inline code spans, each with the few words before it. */
function codeSpans(page: string): { span: string; before: string }[] {
  const spans: { span: string; before: string }[] = [];
  const body = text(page);
  for (const m of body.matchAll(/`([^`\n]+)`/g)) {
    spans.push({ span: m[1] ?? "", before: body.slice(Math.max(0, m.index - 40), m.index) });
  }
  return spans;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchorsOf(file: string): Set<string> {
  const headings = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) => anchor(l.replace(/^#+ /, "").replace(/`/g, "")));
  return new Set(headings);
}

/** Every config key the reference declares (docs/config.md, generated from the schemas), with its kind. */
function declaredKeys(): Map<string, string> {
  const keys = new Map<string, string>();
  for (const m of text("docs/config.md").matchAll(/^\| \[?`([^`]+)`\]?(?:\([^)]*\))? *\| ([^|]+)\|/gm)) {
    keys.set(m[1] ?? "", (m[2] ?? "").trim());
  }
  return keys;
}

/**
 * Whether a key path a page names is a declared key or a section of one, fills its `<name>`
 * slots, or is a field of an entry of a declared map or list (`alerting.receivers.<name>.type`).
 */
function isDeclared(key: string, declared: ReadonlyMap<string, string>): boolean {
  const segs = key.replace(/\[\d*\]/g, "").split(".");
  const same = (s: string, w: string) => w === s || /^<.+>$/.test(w) || /^<.+>$/.test(s);
  for (const [d, kind] of declared) {
    const want = d.replace(/\[\]/g, "").split(".");
    if (segs.length <= want.length) {
      if (segs.every((s, i) => same(s, want[i] ?? ""))) return true;
      continue;
    }
    if (!want.every((w, i) => same(segs[i] ?? "", w))) continue;
    const rest = segs.slice(want.length);
    if (kind === "secret") return true;
    const fields = /^(map|list) of \{(.*)\}$/.exec(kind);
    if (fields === null) continue;
    // A map's entries are named by the user; a list's are indexed (the index is dropped above).
    const inEntry = (fields[1] === "map" ? rest.slice(1) : rest).join(".");
    const names = (fields[2] ?? "").split(",").map((f) => f.trim());
    if (inEntry === "" || names.some((f) => f === inEntry || f.startsWith(`${inEntry}.`))) return true;
  }
  return false;
}

describe("the docs a user reads", () => {
  const scripts = Object.keys(
    (JSON.parse(text("package.json")) as { scripts: Record<string, string> }).scripts,
  );
  const declared = declaredKeys();
  const topLevel = new Set([...declared.keys()].map((k) => k.split(".")[0] ?? ""));

  it("read the config reference and find it whole", () => {
    expect(declared.size).to.be.greaterThan(150);
    for (const k of ["cluster.context", "loki.objectStorage.existingSecret", "grafanaAdminPassword"]) {
      expect(isDeclared(k, declared), k).to.equal(true);
    }
    expect(isDeclared("alerting.receivers.oncall.channel", declared)).to.equal(true);
    expect(isDeclared("elastic.nodeSets[0].storage.size", declared)).to.equal(true);
    expect(isDeclared("loki.objectStorage.nonsense", declared)).to.equal(false);
    expect(isDeclared("alerting.receivers.oncall.nonsense", declared)).to.equal(false);
  });

  for (const page of PAGES) {
    describe(page, () => {
      it("links only to files and headings that exist", () => {
        const broken: string[] = [];
        for (const m of text(page).matchAll(/\]\(([^)\s]+)\)/g)) {
          const target = m[1] ?? "";
          if (/^[a-z]+:/.test(target)) continue;
          const [file = "", hash] = target.split("#");
          const resolved =
            file === ""
              ? path.join(PROJECT_DIR, page)
              : path.resolve(path.dirname(path.join(PROJECT_DIR, page)), file);
          if (!fs.existsSync(resolved)) {
            broken.push(`${target}: no such file`);
          } else if (hash !== undefined && resolved.endsWith(".md") && !anchorsOf(resolved).has(hash)) {
            broken.push(`${target}: no such heading`);
          }
        }
        expect(broken).to.deep.equal([]);
      });

      it("names only repository paths that exist", () => {
        const missing: string[] = [];
        const roots = /^(components|tools|test|docs|kind|urns|\.github|\.ci)\//;
        for (const { span } of codeSpans(page)) {
          for (const word of span.split(/\s+/)) {
            const p = word.replace(/[),:;.]+$/, "").replace(/^\(/, "");
            const isFile =
              roots.test(p) || /^(Pulumi\.[a-z]+\.yaml|package\.json|index\.ts|tsconfig\.json)$/.test(p);
            // Placeholders (<stack>, …, *) name a family of files, not one.
            if (!isFile || /[<>*…{}$]/.test(p)) continue;
            if (!fs.existsSync(path.join(PROJECT_DIR, p))) missing.push(p);
          }
        }
        // In prose too: a file named by its path, such as docs/design.md.
        for (const m of text(page).matchAll(
          /(?<![\w./-])((?:components|tools|test|docs|kind|urns)\/[\w./-]+\.(?:ts|md|yaml|sh|json))/g,
        )) {
          const p = m[1] ?? "";
          if (!fs.existsSync(path.join(PROJECT_DIR, p)) && !missing.includes(p)) missing.push(p);
        }
        expect(missing).to.deep.equal([]);
      });

      it("names only config keys the schemas declare", () => {
        const unknown: string[] = [];
        const keyLike = /^[a-z][A-Za-z0-9]*(\[\d*\])?(\.([A-Za-z0-9]+|<[a-z]+>)(\[\d*\])?)+$/;
        const candidates = new Set<string>();
        for (const { span, before } of codeSpans(page)) {
          const bare = span.replace(/:$/, "");
          // A chart's values path (`grafana.admin.existingSecret`) is named as such: "value", "chart".
          if (/(values?|chart's|chart reads through)\W*$/i.test(before.replace(/\s+/g, " "))) continue;
          // A part's file named without its folder (`charts.ts`, `sizing.ts`) is a file, not a key.
          if (/\.(ts|md|ya?ml|json|sh)$/.test(bare)) continue;
          if (keyLike.test(bare) && topLevel.has(bare.split(/[.[]/)[0] ?? "")) candidates.add(bare);
        }
        // `pulumi config set [--secret] [--path] <key> …`, in prose and code blocks, names a key.
        for (const m of text(page).matchAll(
          /pulumi config (?:set|get|rm)((?:\s+--[a-z]+)*)\s+'?([^\s'`"]+)'?/g,
        )) {
          candidates.add(m[2] ?? "");
        }
        for (const key of candidates) {
          if (key.startsWith("<") || key.startsWith("$")) continue;
          if (!isDeclared(key, declared)) unknown.push(key);
        }
        expect(unknown).to.deep.equal([]);
      });

      it("shows only `npm run` commands that are scripts", () => {
        const unknown: string[] = [];
        for (const m of text(page).matchAll(/npm run(?: -s| --silent)? ([a-z][a-z0-9:-]*)/g)) {
          if (!scripts.includes(m[1] ?? "")) unknown.push(m[1] ?? "");
        }
        expect(unknown).to.deep.equal([]);
      });
    });
  }

  it("name only stack outputs that the plan of some stack has", async () => {
    const outputs = new Set<string>();
    for (const stack of ["dev", "prod", "large"]) {
      for (const k of Object.keys((await run(stackInput(stack))).outputs)) outputs.add(k);
    }
    const unknown: string[] = [];
    for (const page of PAGES) {
      for (const m of text(page).matchAll(/pulumi stack output ([A-Za-z][A-Za-z0-9]*)/g)) {
        if (!outputs.has(m[1] ?? "")) unknown.push(`${page}: ${m[1] ?? ""}`);
      }
    }
    expect(unknown).to.deep.equal([]);
  });
});
