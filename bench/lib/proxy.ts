// A loopback TCP proxy in front of the API server (TLS passes through untouched). Cutting it drops
// every connection and refuses new ones, so an operator behind it loses its watches; while it is
// cut the harness changes objects and lets etcd compact, and on reconnect the operator's watch
// asks for a resourceVersion that is gone: a real 410 from a real API server.
import { connect, createServer, type Server, type Socket } from "node:net";

export class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private cut = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server = createServer((client) => {
        if (this.cut) {
          client.destroy();
          return;
        }
        const upstream = connect(this.targetPort, this.targetHost);
        this.sockets.add(client);
        this.sockets.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          this.sockets.delete(client);
          this.sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
        client.pipe(upstream).pipe(client);
      });
      this.server.on("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        const addr = this.server?.address();
        this.port = typeof addr === "object" && addr ? addr.port : 0;
        resolve(this.port);
      });
    });
  }

  /** Drops every connection and refuses new ones until restore(). */
  cutOff(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.cut = false;
  }

  close(): void {
    this.cutOff();
    this.server?.close();
  }
}
