// The Events a status change deserves, for a human reading `kubectl describe cg`: every change of
// state, every container restart with its exit code, and every new reason the group is not Ready
// that the user may need to act on. Pure: the reconciler records what this returns.
import type { ContainerGroupStatus } from "../api/types.js";
import type { EventInput } from "../runtime/events.js";
import { findCondition, READY } from "../status/index.js";

/** Ready=False reasons that are steps of normal progress, told by the state events already. */
const ROUTINE_REASONS = new Set(["Creating", "Pending", "Redeploying", "Stopped", "Succeeded", "Completed"]);

export function transitionEvents(
  before: ContainerGroupStatus | undefined,
  after: ContainerGroupStatus,
): EventInput[] {
  const events: EventInput[] = [];
  if (after.state && before?.state !== after.state) {
    events.push({
      type: after.state === "Failed" ? "Warning" : "Normal",
      reason: after.state,
      action: "UpdatingStatus",
      note: `The group is ${after.state}${before?.state ? ` (was ${before.state})` : ""}.`,
    });
  }
  for (const container of after.containers ?? []) {
    const previous = before?.containers?.find((c) => c.name === container.name);
    if ((container.restartCount ?? 0) <= (previous?.restartCount ?? 0)) continue;
    const last = container.previousState;
    const why = last?.detailStatus ? ` (${last.detailStatus})` : "";
    const code = last?.exitCode !== undefined ? ` with exit code ${last.exitCode}${why}` : why;
    events.push({
      type: "Warning",
      reason: "ContainerRestarted",
      action: "UpdatingStatus",
      note: `Container ${container.name} exited${code} and was restarted (restart ${container.restartCount}).`,
    });
  }
  const was = findCondition(before?.conditions, READY);
  const now = findCondition(after.conditions, READY);
  if (now?.status === "False" && (was?.reason !== now.reason || was?.status !== now.status)) {
    if (!ROUTINE_REASONS.has(now.reason)) {
      events.push({ type: "Warning", reason: now.reason, action: "Reconciling", note: now.message });
    }
  }
  return events;
}
