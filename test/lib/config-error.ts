import { expect } from "chai";
import type { SecretKeyNames } from "../../components/core";
import { parseStackConfig } from "../../components/core";
import { ConfigError } from "../../components/kit";

/**
 * The message parseStackConfig throws for this raw config, given which secret keys are set (and
 * the receiver names under alertReceiverSecrets); fails when it throws none.
 */
export function errorFor(
  raw: Record<string, unknown>,
  secretKeys: Iterable<string> = [],
  secretNames: SecretKeyNames = {},
): string {
  try {
    parseStackConfig(raw, new Set(secretKeys), secretNames);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}
