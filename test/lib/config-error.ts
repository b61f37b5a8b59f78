import { expect } from "chai";
import { ConfigError, parseStackConfig } from "../../components/config";

/** The message parseStackConfig throws for this raw config; fails when it throws none. */
export function errorFor(raw: Record<string, unknown>): string {
  try {
    parseStackConfig(raw);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}
