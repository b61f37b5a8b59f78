import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackConfig, StackFileError } from "../../tools/lib/stack-file";
import { PROJECT_DIR } from "./helpers";

/** The one line a stack file with this text makes the offline plan's reader fail with. */
export function stackFileError(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
  try {
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), text);
    try {
      readStackConfig(dir, "broken");
    } catch (err) {
      expect(err).to.be.instanceOf(StackFileError);
      return (err as Error).message;
    }
    throw new Error("expected a StackFileError");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
