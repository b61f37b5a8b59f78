import { Section } from "./reader";

/** A PersistentVolumeClaim size; absent means the data lives in an emptyDir. */
export interface StorageConfig {
  size: string;
}

/** `<key>.size` under a section, or undefined when `<key>` is unset; a set `<key>` needs its size. */
export function readStorage(s: Section, key: string, example: string): StorageConfig | undefined {
  if (!s.has(key)) {
    s.raw(key);
    return undefined;
  }
  const storage = s.child(key);
  const size = storage.has("size")
    ? storage.optionalSize("size", example)
    : storage.requiredString("size", example);
  storage.done();
  return size === undefined ? undefined : { size };
}
