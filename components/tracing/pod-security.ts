/**
 * Security contexts that satisfy the Pod Security Standard `restricted`, which the tracing
 * namespace enforces: nothing in it needs root, host access or extra capabilities.
 */

/** A pod that runs as a fixed non-root user, with the runtime's default seccomp profile. */
export function restrictedPod(uid: number): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    // Volumes (the Badger claim) are made writable for this group.
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** A container that cannot gain privileges and holds no capabilities. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
} as const;
