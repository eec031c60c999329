// `logs`: streamed from the API server (az polls every 2 s and reprints everything,
// azure-cli#21298), with kubectl's --tail, --since, --previous and --timestamps, which az lacks.
import { PassThrough, type Writable } from "node:stream";
import { Log } from "@kubernetes/client-node";
import { getGroup, getPod, pickContainer } from "../groups.js";
import { parseRequestTimeout, type Session, UsageError } from "../session.js";

export interface LogsFlags {
  containerName?: string;
  follow?: boolean;
  tail?: string;
  since?: string;
  previous?: boolean;
  timestamps?: boolean;
}

export function logOptions(flags: LogsFlags) {
  const options: {
    follow: boolean;
    previous: boolean;
    timestamps: boolean;
    tailLines?: number;
    sinceSeconds?: number;
  } = {
    follow: flags.follow ?? false,
    previous: flags.previous ?? false,
    timestamps: flags.timestamps ?? false,
  };
  if (flags.tail !== undefined && flags.tail !== "-1") {
    const tail = Number(flags.tail);
    if (!Number.isInteger(tail) || tail < 0)
      throw new UsageError(`--tail=${flags.tail}: expected a number of lines (-1: all)`);
    options.tailLines = tail;
  }
  if (flags.since !== undefined) {
    const ms = (() => {
      try {
        return parseRequestTimeout(flags.since ?? "");
      } catch {
        throw new UsageError(`--since=${flags.since}: expected a duration such as 30s, 5m or 2h`);
      }
    })();
    options.sinceSeconds = Math.max(1, Math.ceil(ms / 1000));
  }
  return options;
}

export async function logs(session: Session, name: string, flags: LogsFlags, out: Writable): Promise<void> {
  const options = logOptions(flags);
  const group = await getGroup(session, name);
  const container = pickContainer(group, flags.containerName, true);
  const pod = await getPod(session, group);
  if (!pod?.metadata?.name) {
    throw new UsageError(
      `containergroup "${name}" has no running instance (state ${group.status?.state ?? "unknown"}${group.spec.stopped ? ", stopped" : ""}): nothing has logged yet`,
    );
  }
  const started = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
  ].some((s) => s.name === container && (s.state?.running || s.state?.terminated || s.lastState?.terminated));
  if (!started) {
    throw new UsageError(
      `container "${container}" of "${name}" has not started yet (state ${group.status?.state ?? "Pending"}): kubectl cg attach ${name} waits for it and then streams its output`,
    );
  }
  if (options.previous) {
    const view = [...(group.status?.containers ?? []), ...(group.status?.initContainers ?? [])].find(
      (c) => c.name === container,
    );
    if (
      !view?.previousState &&
      !pod.status?.containerStatuses?.some((s) => s.name === container && s.lastState?.terminated)
    ) {
      throw new UsageError(
        `container "${container}" of "${name}" has no previous instance: it has not restarted`,
      );
    }
  }
  if (options.tailLines === 0 && !options.follow) return;
  // client-node pipes the response into the stream it is given and ends it: give it one of its
  // own, so the end of the log is seen here and stdout stays open.
  const sink = new PassThrough();
  sink.pipe(out, { end: false });
  const ended = new Promise<void>((resolve, reject) => {
    sink.on("end", resolve);
    sink.on("error", reject);
  });
  await new Log(session.kubeConfig).log(session.namespace, pod.metadata.name, container, sink, options);
  await ended;
}
