import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../lib/helpers";

/**
 * A small tree with one planted violation of each import rule of .dependency-cruiser.cjs, cruised
 * with the project's own config: every rule must name its file, and the clean imports none.
 */
const TREE: Record<string, string> = {
  "tsconfig.json": JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }),
  "components/kit/index.ts": "export const KIT = 1;\n",
  "components/alerting/index.ts": 'export { RULES } from "./rules";\n',
  "components/alerting/rules.ts": 'import { KIT } from "../kit";\nexport const RULES = KIT;\n',
  // clean: another part through its index
  "components/monitoring/through-index.ts": 'import { RULES } from "../alerting";\nexport const A = RULES;\n',
  // planted: past another part's index
  "components/monitoring/past-index.ts":
    'import { RULES } from "../alerting/rules";\nexport const B = RULES;\n',
  "components/monitoring/index.ts": 'export { A } from "./through-index";\n',
  // planted: a lower part imports a higher one (through its index)
  "components/alerting/upward.ts": 'import { A } from "../monitoring";\nexport const C = A;\n',
  // clean: a test through the index
  "test/clean.test.ts": 'import { RULES } from "../components/alerting";\nexport const D = RULES;\n',
  // planted: a test and a tool past the index
  "test/past-index.test.ts":
    'import { RULES } from "../components/alerting/rules";\nexport const E = RULES;\n',
  "tools/past-index.ts": 'import { RULES } from "../components/alerting/rules";\nexport const F = RULES;\n',
  // planted: components import a tool
  "components/kit/uses-tool.ts": 'import { F } from "../../tools/past-index";\nexport const G = F;\n',
};

describe("the import rules (.dependency-cruiser.cjs) on planted violations", function () {
  this.timeout(60000);
  let dir = "";

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-rules-"));
    for (const [file, text] of Object.entries(TREE)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    fs.copyFileSync(
      path.join(PROJECT_DIR, ".dependency-cruiser.cjs"),
      path.join(dir, ".dependency-cruiser.cjs"),
    );
    fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"), "dir");
  });

  after(() => {
    if (dir !== "") fs.rmSync(dir, { recursive: true, force: true });
  });

  it("names each planted import with its rule, and no clean one", () => {
    const r = spawnSync(
      path.join(PROJECT_DIR, "node_modules", ".bin", "depcruise"),
      ["components", "tools", "test", "--config", ".dependency-cruiser.cjs", "--output-type", "err"],
      { cwd: dir, encoding: "utf8" },
    );
    expect(r.status, r.stderr).to.not.equal(0);
    const found = [...r.stdout.matchAll(/error (\S+): (\S+) → (\S+)/g)].map(
      (m) => `${m[1]}: ${m[2]} → ${m[3]}`,
    );
    expect(found.sort()).to.deep.equal(
      [
        "a-part-is-imported-through-its-index: components/monitoring/past-index.ts → components/alerting/rules.ts",
        "alerting-imports-only-lower-parts: components/alerting/upward.ts → components/monitoring/index.ts",
        "components-do-not-import-tools-or-tests: components/kit/uses-tool.ts → tools/past-index.ts",
        "tools-and-tests-use-the-parts-index: test/past-index.test.ts → components/alerting/rules.ts",
        "tools-and-tests-use-the-parts-index: tools/past-index.ts → components/alerting/rules.ts",
      ].sort(),
    );
  });
});
