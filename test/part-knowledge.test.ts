/**
 * Every part owns what it knows: kit/ and core/ fold the parts' lists and name no part. This scans
 * the string and number literals of every file under components/kit and components/core for the
 * parts' own facts, derived from what the parts contribute (so it cannot pass for want of tokens):
 * their chart names, container ids, pod label values and the ports of their flows.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import {
  CHARTS,
  CONTAINER_IDS,
  parseStackConfig,
  registeredParts,
  StackConfig,
  stackModel,
} from "../components/core";
import { STACK_NAMESPACE_NAMES } from "../components/kit";
import { PROJECT_DIR, stackRawConfig } from "./lib/helpers";

/** A part's fact found where it does not belong. */
interface Finding {
  file: string;
  line: number;
  literal: string;
  what: string;
}

/** The parts' facts: each literal that would name a part, with what it is. */
function partFacts(): { strings: Map<string, string>; ports: Set<number> } {
  const strings = new Map<string, string>();
  for (const pin of Object.values(CHARTS)) strings.set(pin.chart, "a chart name");
  for (const id of CONTAINER_IDS) strings.set(id, "a container id");
  const ports = new Set<number>();
  for (const stack of ["dev", "prod", "large"]) {
    const config = parseStackConfig(stackRawConfig(stack));
    for (const part of registeredParts<StackConfig>()) {
      for (const group of Object.values(part.podGroups?.(STACK_NAMESPACE_NAMES, config) ?? {})) {
        for (const value of [...Object.values(group.labels), ...(group.oneOf?.values ?? [])]) {
          if (!strings.has(value)) strings.set(value, "a pod label value");
        }
      }
    }
    for (const flow of stackModel(config).flows) for (const p of flow.ports) ports.add(p.port);
  }
  return { strings, ports };
}

/** Every string and number literal of a TypeScript source that is one of the facts. */
export function findFacts(
  file: string,
  source: string,
  facts: { strings: ReadonlyMap<string, string>; ports: ReadonlySet<number> },
): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const found: Finding[] = [];
  const at = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) && facts.strings.has(node.text)) {
      found.push({
        file,
        line: at(node),
        literal: JSON.stringify(node.text),
        what: facts.strings.get(node.text) ?? "",
      });
    } else if (ts.isNumericLiteral(node) && facts.ports.has(Number(node.text))) {
      found.push({ file, line: at(node), literal: node.text, what: "a port of a part" });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

describe("what the parts know", () => {
  const facts = partFacts();

  it("is derived from every part's contributions", () => {
    const kinds = new Set(facts.strings.values());
    expect([...kinds].sort()).to.deep.equal(["a chart name", "a container id", "a pod label value"]);
    expect(facts.strings.size).to.be.greaterThan(60);
    expect(facts.ports.size).to.be.greaterThan(25);
  });

  it("is found by the scan where it is planted, in a string or a number, not in a comment", () => {
    const planted = 'const c = "kube-prometheus-stack";\n// loki on 3100\nconst p = { port: 3100 };\n';
    expect(
      findFacts("planted.ts", planted, facts).map((f) => `${f.line} ${f.literal} (${f.what})`),
    ).to.deep.equal(['1 "kube-prometheus-stack" (a chart name)', "3 3100 (a port of a part)"]);
  });

  it("is named nowhere in kit/ and core/: they fold the parts' lists", () => {
    const dirs = ["kit", "core"].map((d) => path.join(PROJECT_DIR, "components", d));
    const findings = dirs
      .flatMap(sources)
      .flatMap((file) => findFacts(path.relative(PROJECT_DIR, file), fs.readFileSync(file, "utf8"), facts));
    expect(findings.map((f) => `${f.file}:${f.line} ${f.literal} is ${f.what}`)).to.deep.equal([]);
  });
});
