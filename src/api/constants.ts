// Names fixed by the ContainerGroup contract (shared/docs/containergroup-api.md, "Identity").
// Everything that talks about the API's identity imports it from here.

export const GROUP = "containerinstances.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = "ContainerGroup";
export const PLURAL = "containergroups";
export const SHORT_NAME = "cg";
export const CATEGORY = "containerinstances";
export const CRD_NAME = `${PLURAL}.${GROUP}`;

/** The field manager for every server-side apply the operator makes. */
export const FIELD_MANAGER = "container-instances-operator";
/** Finalizer for children an ownerReference cannot collect (cluster-scoped PersistentVolumes). */
export const FINALIZER = `${GROUP}/cleanup`;

/** Labels on every child the operator creates; informers select children by MANAGED_BY_LABEL. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = FIELD_MANAGER;
export const GROUP_LABEL = `${GROUP}/group`;

/** `az container restart`: a new value recreates the group's Pod. */
export const RESTARTED_AT_ANNOTATION = `${GROUP}/restartedAt`;

/**
 * The oldest Kubernetes minor the operator is tested on (make test-matrix). Chart.yaml's
 * kubeVersion and the CRD's KUBE_VERSION_ANNOTATION say the same (a unit test keeps them equal).
 */
export const OLDEST_TESTED_KUBERNETES = { major: 1, minor: 35 } as const;
/** On the CRD: the Kubernetes versions it is tested on, as a semver range like Chart.yaml's. */
export const KUBE_VERSION_ANNOTATION = `${GROUP}/kube-version`;
