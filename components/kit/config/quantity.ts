import { quantityValue } from "./reader";

/** The value of a Kubernetes quantity in base units (cores for CPU, bytes for memory). */
export function parseQuantity(q: string): number {
  const v = quantityValue(q);
  if (Number.isNaN(v)) throw new Error(`not a Kubernetes quantity: ${q}`);
  return v;
}
