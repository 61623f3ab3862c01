import { createServer, type Server } from 'node:http';
import { portalPage } from './asterisk';

/** One agent row of the static portal page. */
export interface PortalAgent {
  ext: string;
  name: string;
}

/** The static portal on 127.0.0.1 that Earshot's generic adapter reads (asteriskSettings' GENERIC_PORTAL). */
export interface StaticPortal {
  /** `http://127.0.0.1:<port>`: the portal origin for the settings. */
  origin: string;
  /** The page with every agent. */
  url: string;
  /** A page of the same portal with no agent rows: Earshot then watches nobody. */
  emptyUrl: string;
  close(): Promise<void>;
}

/**
 * Serves {@link portalPage} from node:http on a free port: `/` lists every
 * agent, `/empty` none (same origin, so the content script runs there too and
 * reports an empty list). Anything else is a 404.
 */
export async function startStaticPortal(agents: PortalAgent[]): Promise<StaticPortal> {
  const site = await startStaticPages({ '/': portalPage(agents), '/empty': portalPage([]) });
  return { origin: site.origin, url: `${site.origin}/`, emptyUrl: `${site.origin}/empty`, close: site.close };
}

/** HTML pages by path on 127.0.0.1 on a free port (GET only; anything else a 404). */
export async function startStaticPages(pages: Record<string, string>): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const page = pages[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (req.method !== 'GET' || page === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the static site has no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
