// `attach`: what az's attach shows (the state and the group's events until it runs, then the
// output stream), from the API server's own records, checked every second rather than az's 2 s.
import type { Writable } from "node:stream";
import type { CoreV1Event, CoreV1EventList } from "@kubernetes/client-node";
import { KIND } from "../../api/constants.js";
import type { ContainerGroup } from "../../api/types.js";
import { podName } from "../../render/names.js";
import { getGroup } from "../groups.js";
import type { Session } from "../session.js";
import { logs } from "./logs.js";

const POLL_MS = 1000;
/** States after which nothing more will be printed by a running container. */
const FINAL = new Set(["Succeeded", "Failed", "Stopped"]);

async function groupEvents(session: Session, group: ContainerGroup): Promise<CoreV1Event[]> {
  const list = async (kind: string, object: string) =>
    (
      await session.client.getPath<CoreV1EventList>(`/api/v1/namespaces/${session.namespace}/events`, {
        fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${object}`,
      })
    ).items;
  const [own, pod] = await Promise.all([list(KIND, group.metadata.name ?? ""), list("Pod", podName(group))]);
  const when = (e: CoreV1Event) =>
    String(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? "");
  return [...own, ...pod].sort((a, b) => when(a).localeCompare(when(b)));
}

export async function attach(
  session: Session,
  name: string,
  containerName: string | undefined,
  out: Writable,
  err: Writable,
  signal?: AbortSignal,
): Promise<void> {
  const seen = new Set<string>();
  let lastState: string | undefined;
  for (;;) {
    const group = await getGroup(session, name);
    const state = group.status?.state ?? "Pending";
    if (state !== lastState) {
      err.write(`state: ${state}\n`);
      lastState = state;
    }
    for (const e of await groupEvents(session, group)) {
      const key = `${e.metadata.uid}/${e.count ?? 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      err.write(`event: ${e.type ?? "Normal"} ${e.reason ?? ""}: ${e.message ?? ""}\n`);
    }
    if (state === "Running" || FINAL.has(state)) {
      if (state === "Stopped") return;
      await logs(
        session,
        name,
        { ...(containerName ? { containerName } : {}), follow: state === "Running" },
        out,
      );
      return;
    }
    if (signal?.aborted) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
