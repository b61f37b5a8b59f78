import { PART_OUTPUTS } from "./registry";

/**
 * What an operator needs next: where things are and how to reach them, never a secret. The
 * namespaces the stack owns, and each part's own outputs (its `outputs` keys).
 */
export type StackEndpoints = { namespaces: string[] } & Record<string, unknown>;

/**
 * The stack outputs: the namespaces the stack owns, and every output a part declares, null when
 * the part (or the piece behind it) does not run.
 */
export function stackOutputs(e: StackEndpoints): Record<string, unknown> {
  return {
    namespaces: e.namespaces,
    ...Object.fromEntries(PART_OUTPUTS.map((key) => [key, e[key] ?? null])),
  };
}
