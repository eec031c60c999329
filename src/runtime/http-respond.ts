import type { ServerResponse } from "node:http";

/** A small text answer that no cache keeps (probes and metrics must always be fresh). */
export function respond(
  response: ServerResponse,
  status: number,
  body: string,
  contentType = "text/plain",
): void {
  response.statusCode = status;
  response.setHeader(
    "Content-Type",
    contentType.includes("charset") ? contentType : `${contentType}; charset=utf-8`,
  );
  response.setHeader("Cache-Control", "no-store");
  response.end(body);
}
