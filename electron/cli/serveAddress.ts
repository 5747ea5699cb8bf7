/**
 * Where `sift serve` listens: 127.0.0.1 unless `--host ADDR` says otherwise. An address other machines reach carries
 * the owner's token and every label across the network, so it is served over HTTPS (`--tls-cert`, `--tls-key`), or
 * over plain HTTP only when `--insecure-lan` asks for it, which is then said on every start.
 */
import net from 'node:net';
import { bareAddress, isLoopbackAddress, readTlsFiles, type ServedAddress, type ServerTls } from '../serverAddress.js';
import { UsageError } from './commandSpec.js';

export interface ServeAddressFlags {
  host?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  'insecure-lan'?: boolean;
  'no-token'?: boolean;
}

export interface ListenChoice {
  hostname: string;
  tls?: ServerTls;
  /** Lines for stderr on every start (plain HTTP on a LAN). */
  warnings: string[];
  /** The certificate file, for the warning when it covers none of the names served. */
  certFile?: string;
}

const HOST_NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i;

/** The address and TLS of `sift serve`, from its flags; a LAN address without TLS or --insecure-lan is refused. */
export function listenChoice(flags: ServeAddressFlags): ListenChoice {
  const hostname = bareAddress(flags.host ?? '127.0.0.1');
  if (!net.isIP(hostname) && !HOST_NAME.test(hostname))
    throw new UsageError(`serve: --host is an IP address or a host name of this machine (got "${flags.host}").`);
  const certFile = flags['tls-cert'];
  const keyFile = flags['tls-key'];
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new UsageError('serve: --tls-cert FILE and --tls-key FILE go together (the certificate and its key).');
  let tls: ServerTls | undefined;
  if (certFile && keyFile) {
    try {
      const { cert, key } = readTlsFiles(certFile, keyFile);
      tls = { cert, key };
    } catch (error) {
      throw new UsageError(`serve: ${error instanceof Error ? error.message : error}`);
    }
  }
  if (isLoopbackAddress(hostname)) return { hostname, tls, warnings: [], certFile };
  if (flags['no-token'])
    throw new UsageError(
      `serve: --no-token is for 127.0.0.1 only; on --host ${flags.host} every request needs the access token.`,
    );
  if (tls) return { hostname, tls, warnings: [], certFile };
  if (!flags['insecure-lan'])
    throw new UsageError(
      `serve: --host ${flags.host} is reachable from other machines, so Sift serves it over HTTPS: give --tls-cert FILE and --tls-key FILE, or --insecure-lan to serve plain HTTP on a network you trust.`,
    );
  return {
    hostname,
    warnings: [
      `sift: warning: serving ${flags.host} over plain HTTP (--insecure-lan): anyone on the network can read the access token and the data; use --tls-cert and --tls-key.`,
    ],
  };
}

/** A warning when the certificate names nothing the server answers on: browsers would refuse the page. */
export function certificateWarnings(choice: ListenChoice, served: ServedAddress): string[] {
  return choice.tls && !served.certificateCoversUrl
    ? [
        `sift: warning: the certificate ${choice.certFile} names neither ${choice.hostname} nor any other name this server answers; browsers will refuse it.`,
      ]
    : [];
}
