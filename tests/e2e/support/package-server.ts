import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The organization's web server of the self-hosted tests: serves `root/<folder>/<file>` on a free port, and notes every path asked. */
export interface PackageServer {
  /** http://127.0.0.1:<port> */
  readonly base: string;
  /** Every path requested, in order. */
  readonly served: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.xml': 'text/xml',
  '.crx': 'application/x-chrome-extension',
  '.xpi': 'application/x-xpinstall',
};

/** Serves files one folder deep below `root` (/org/updates.xml, /store/earshot-0.1.0.xpi…); anything else is a 404. */
export function servePackages(root: string): Promise<PackageServer> {
  const served: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    served.push(path);
    const m = /^\/([\w-]+)\/([\w.-]+)$/.exec(path);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(root, m[1]!, m[2]!));
      res.writeHead(200, { 'content-type': TYPES[/\.\w+$/.exec(m[2]!)?.[0] ?? ''] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
        served,
        close: () => new Promise((r) => server.close(() => r())),
      });
    }),
  );
}
