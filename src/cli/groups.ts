// Reading groups and their Pods, for every subcommand.
import type { V1Pod } from "@kubernetes/client-node";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../api/constants.js";
import type { ContainerGroup, ContainerGroupList } from "../api/types.js";
import { podName } from "../render/names.js";
import { isNotFound } from "../runtime/apply.js";
import { type Session, UsageError } from "./session.js";

export const groupRef = (namespace: string, name: string) => ({
  apiVersion: API_VERSION,
  kind: KIND,
  metadata: { namespace, name },
});

/** A missing group is the user's mistake, said as kubectl says it. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

export async function getGroup(session: Session, name: string): Promise<ContainerGroup> {
  try {
    return await session.client.get<ContainerGroup>(groupRef(session.namespace, name));
  } catch (e) {
    if (isNotFound(e)) {
      throw new NotFoundError(`containergroup "${name}" not found in namespace "${session.namespace}"`);
    }
    throw e;
  }
}

/** Every group in the session's namespace, or in all of them with -A. */
export async function listGroups(session: Session): Promise<ContainerGroup[]> {
  const base = session.allNamespaces
    ? `/apis/${GROUP}/${VERSION}/${PLURAL}`
    : `/apis/${GROUP}/${VERSION}/namespaces/${session.namespace}/${PLURAL}`;
  const items: ContainerGroup[] = [];
  let token: string | undefined;
  do {
    const page: ContainerGroupList = await session.client.getPath(base, { limit: 500, continue: token });
    items.push(...page.items);
    token = page.metadata.continue || undefined;
  } while (token);
  return items;
}

/** The group's Pod, undefined while it has none (stopped, not yet created). */
export async function getPod(session: Session, group: ContainerGroup): Promise<V1Pod | undefined> {
  return session.client.getIfExists<V1Pod>({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace: group.metadata.namespace ?? session.namespace, name: podName(group) },
  });
}

/** --container-name, else the only container, else the first (as az logs does) when `firstByDefault`. */
export function pickContainer(
  group: ContainerGroup,
  requested: string | undefined,
  firstByDefault: boolean,
): string {
  const names = group.spec.containers.map((c) => c.name);
  const initNames = (group.spec.initContainers ?? []).map((c) => c.name);
  if (requested) {
    if (!names.includes(requested) && !initNames.includes(requested)) {
      throw new UsageError(
        `--container-name=${requested}: group "${group.metadata.name}" has no such container (it has ${[...names, ...initNames].join(", ")})`,
      );
    }
    return requested;
  }
  if (names.length === 1 || firstByDefault) return names[0] ?? "";
  throw new UsageError(
    `group "${group.metadata.name}" has ${names.length} containers (${names.join(", ")}): pass --container-name`,
  );
}
