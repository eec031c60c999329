// What the health and the metrics servers share: answers, listening, and closing at once.
import type { Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

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

/** Listens on `port` (0 picks a free one) and resolves with the port bound. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops listening and drops open keep-alive connections, so shutdown does not wait for clients. */
export function closeNow(server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
