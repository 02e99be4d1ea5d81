import type { Server } from 'node:net';
import { ConfigError } from './config-error';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `HOST:PORT`, `[IPv6]:PORT` or a bare `PORT` (on 127.0.0.1). Undefined when malformed. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]*)):(\d{1,5})$/.exec(text) ?? /^()()(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

/** parseListenAddress for an option's value, or a ConfigError saying what is wrong with it. */
export function listenAddressOption(text: string | undefined, option: string, examplePort: number): ListenAddress {
  const address = parseListenAddress(text ?? '');
  if (address) return address;
  const port = /:(\d+)$/.exec(text ?? '')?.[1];
  if (port !== undefined && Number(port) > 65535) throw new ConfigError(option, `"${text}": port ${port} is out of range (0–65535)`);
  throw new ConfigError(option, `"${text}" is not HOST:PORT, e.g. 127.0.0.1:${examplePort} or 0.0.0.0:${examplePort}`);
}

export function formatHostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Bind, turning the usual failures into one line about --listen. */
export function listenOrExplain(server: Server, address: ListenAddress): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${address.host}:${address.port}`;
      if (error.code === 'EADDRINUSE') reject(new ConfigError('--listen', `${where} is already in use`));
      else if (error.code === 'EACCES') reject(new ConfigError('--listen', `no permission to listen on ${where}`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new ConfigError('--listen', `${address.host} is not an address of this machine`));
      } else reject(error);
    });
    server.listen(address.port, address.host, () => resolve());
  });
}
