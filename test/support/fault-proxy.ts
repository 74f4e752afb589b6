import { createServer, IncomingMessage, request, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';

/**
 * What the proxy does with one request: forward it, or fail it in a chosen way. `html`: a 502/503 HTML error page (as
 * a load balancer sends); `truncate`: the real reply cut off half-way, then the connection closed.
 */
export type Fault = 'forward' | 'throttle' | 'error500' | 'reset' | 'html' | 'truncate' | { delayMs: number };

/**
 * A loopback HTTP proxy in front of an emulator that injects faults from a script (one entry per request, then
 * `otherwise`, or a chooser called per request), to test how clients retry: throttling (400 ThrottlingException),
 * 500s, HTML error pages, connection resets, truncated replies and delays.
 */
export class FaultProxy {
  public readonly received: string[] = [];
  public forwarded = 0;
  /** Faults injected since the last plan, by kind ('delay' for delays). */
  public readonly injected: Record<string, number> = {};
  private server?: Server;
  private script: Fault[] = [];
  private otherwise: Fault | (() => Fault) = 'forward';

  constructor(private readonly target: string) {}

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  public async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Faults for the next requests, in order, then `otherwise` for the rest. */
  public plan(script: Fault[], otherwise: Fault | (() => Fault) = 'forward'): void {
    this.script = [...script];
    this.otherwise = otherwise;
    this.received.length = 0;
    this.forwarded = 0;
    for (const k of Object.keys(this.injected)) delete this.injected[k];
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      this.received.push(String(req.headers['x-amz-target'] ?? req.url));
      const fault = this.script.length > 0 ? this.script.shift()! : typeof this.otherwise === 'function' ? this.otherwise() : this.otherwise;
      const kind = typeof fault === 'object' ? 'delay' : fault;
      if (kind !== 'forward') this.injected[kind] = (this.injected[kind] ?? 0) + 1;
      if (fault === 'throttle') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' });
        res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      } else if (fault === 'error500') {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'KMSInternalException', message: 'internal error' }));
      } else if (fault === 'reset') {
        req.socket.destroy();
      } else if (fault === 'html') {
        const status = this.received.length % 2 === 0 ? 502 : 503;
        res.writeHead(status, { 'content-type': 'text/html' });
        res.end(`<html><head><title>${status}</title></head><body><center><h1>${status} ${status === 502 ? 'Bad Gateway' : 'Service Temporarily Unavailable'}</h1></center><hr><center>proxy</center></body></html>`);
      } else if (fault === 'truncate') {
        this.forward(req, body, res, true);
      } else if (typeof fault === 'object') {
        setTimeout(() => this.forward(req, body, res), fault.delayMs);
      } else {
        this.forward(req, body, res);
      }
    });
  }

  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse, truncate = false): void {
    if (res.destroyed) return;
    this.forwarded += 1;
    const url = new URL(req.url ?? '/', this.target);
    const upstream = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (up) => {
      if (!truncate) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const parts: Buffer[] = [];
      up.on('data', (c) => parts.push(c));
      up.on('end', () => {
        const whole = Buffer.concat(parts);
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'content-length': String(whole.length) });
        res.write(whole.subarray(0, Math.floor(whole.length / 2)), () => res.destroy());
      });
    });
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  }
}
