/**
 * Pulumi URNs and aliases as the engine computes them, without an engine.
 *
 * A URN is `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, where the qualified type is
 * the parent's qualified type, then `$`, then the resource's own type; the stack resource
 * (`pulumi:pulumi:Stack`) is never part of it. This is `createUrn` in @pulumi/pulumi's
 * resource.js and `resource.NewURN` in the engine. (The SDK's mock monitor prefixes only the
 * parent's last type, so a URN read from a mocked run is not the engine's for grandchildren: it
 * is computed here instead.)
 *
 * Aliases follow the engine's step generator (pkg/resource/deploy/step_generator.go,
 * `generateAliases`, `collapseAliasToUrn`, `inheritedChildAlias`), which the Node.js SDK defers
 * to when the monitor supports alias specs: a resource's own aliases are collapsed to URNs under
 * its new parent; and when its parent was found in the old state through an alias, the child also
 * gets the URN it would have had under that old parent (its name re-prefixed when it starts with
 * the parent's name), and the same for each of its own aliases.
 */

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The URN of a resource with this parent URN (none: a child of the stack). */
export function createUrn(
  stack: string,
  project: string,
  parent: string | undefined,
  type: string,
  name: string,
) {
  const parentType = parent === undefined ? undefined : qualifiedType(parent);
  const qualified =
    parentType === undefined || parentType === ROOT_STACK_TYPE ? type : `${parentType}$${type}`;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

function parts(urn: string): { stack: string; project: string; qualifiedType: string; name: string } {
  const match = /^urn:pulumi:([^:]*)::([^:]*)::(.+?)::(.*)$/s.exec(urn);
  if (match === null) throw new Error(`not a Pulumi URN: ${urn}`);
  const [, stack = "", project = "", qualified = "", name = ""] = match;
  return { stack, project, qualifiedType: qualified, name };
}

/** `a$b$c` of a URN: the parent chain and the type. */
export function qualifiedType(urn: string): string {
  return parts(urn).qualifiedType;
}

/** The resource's own type: the last part of the qualified type. */
export function urnType(urn: string): string {
  return qualifiedType(urn).split("$").pop() ?? "";
}

export function urnName(urn: string): string {
  return parts(urn).name;
}

/** An alias as a program declares it, in the parts the offline plan can see. */
export interface AliasSpec {
  type?: string;
  name?: string;
}

/** `collapseAliasToUrn`: an alias with its missing parts taken from the resource itself. */
export function collapseAlias(
  stack: string,
  project: string,
  resource: { parentUrn?: string; type: string; name: string },
  alias: AliasSpec,
): string {
  return createUrn(
    stack,
    project,
    resource.parentUrn,
    alias.type ?? resource.type,
    alias.name ?? resource.name,
  );
}

/** `inheritedChildAlias`: where a child was when its parent had the URN `parentAlias`. */
export function inheritedChildAlias(
  stack: string,
  project: string,
  childType: string,
  childName: string,
  parentName: string,
  parentAlias: string,
): string {
  const name = childName.startsWith(parentName)
    ? urnName(parentAlias) + childName.slice(parentName.length)
    : childName;
  return createUrn(stack, project, parentAlias, childType, name);
}

/** One resource of a new plan, in registration order (a parent before its children). */
export interface NewResource {
  urn: string;
  type: string;
  name: string;
  parentUrn?: string;
  /** Its own aliases, already collapsed to URNs under its new parent. */
  aliases: string[];
}

export interface Match {
  /** The new URN. */
  urn: string;
  /** The old URN it takes over: itself, or the alias that was found. Absent: a create. */
  old?: string;
  /** True when the old URN was found through an alias. */
  viaAlias: boolean;
}

/**
 * Matches each new resource to an old one as the engine's step generator does: first by its own
 * URN, then by each alias in order, its own ones first and then those inherited from a parent that
 * was itself matched through an alias.
 */
export function matchUrns(stack: string, project: string, olds: Set<string>, news: NewResource[]): Match[] {
  /** New URN -> the old URN it matched through an alias (`sg.aliases`). */
  const aliased = new Map<string, string>();
  const out: Match[] = [];
  for (const r of news) {
    const candidates = [r.urn, ...r.aliases];
    const parentAlias = r.parentUrn === undefined ? undefined : aliased.get(r.parentUrn);
    if (parentAlias !== undefined && r.parentUrn !== undefined) {
      const parentName = urnName(r.parentUrn);
      candidates.push(inheritedChildAlias(stack, project, r.type, r.name, parentName, parentAlias));
      for (const own of r.aliases) {
        candidates.push(
          inheritedChildAlias(stack, project, urnType(own), urnName(own), parentName, parentAlias),
        );
      }
    }
    const old = candidates.find((c) => olds.has(c));
    if (old !== undefined && old !== r.urn) aliased.set(r.urn, old);
    out.push({
      urn: r.urn,
      ...(old !== undefined ? { old } : {}),
      viaAlias: old !== undefined && old !== r.urn,
    });
  }
  return out;
}
