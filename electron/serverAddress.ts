/**
 * Where the browser-mode server listens and which names reach it. 127.0.0.1 by default; `sift serve --host ADDR`
 * puts it on a LAN address, over TLS with the owner's certificate. The Host and Origin checks of server.ts ask
 * `ServedAddress.refusal`, so they follow the address served (and the names its certificate covers), not a fixed
 * list of loopback names.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';

/** The certificate and key an HTTPS server is made with, read and checked (see readTlsFiles). */
export interface ServerTls {
  cert: Buffer;
  key: Buffer;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];

/** `[::1]` → `::1`: an IPv6 address as given on the command line or in a URL's host, without its brackets. */
export function bareAddress(address: string): string {
  return address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/** Only this machine can reach it: localhost, 127.0.0.0/8, ::1 (and ::ffff:127.x). */
export function isLoopbackAddress(address: string): boolean {
  const bare = bareAddress(address);
  if (bare === 'localhost' || bare === '::1') return true;
  const ipv4 = bare.replace(/^::ffff:/, '');
  return net.isIPv4(ipv4) && ipv4.startsWith('127.');
}

/** Every interface of this machine: 0.0.0.0 (IPv4) or :: (both). */
export function isWildcardAddress(address: string): boolean {
  return ['0.0.0.0', '::', '0:0:0:0:0:0:0:0'].includes(bareAddress(address));
}

/** How a host name stands in a URL: an IPv6 address in brackets. */
function urlHost(name: string): string {
  return net.isIPv6(name) ? `[${name}]` : name;
}

/**
 * The certificate and key files of `--tls-cert` / `--tls-key`, read and checked before anything listens: a file that
 * is missing, not PEM, or a key that is not the certificate's is an error naming the file.
 */
export function readTlsFiles(certFile: string, keyFile: string): ServerTls & { certificate: X509Certificate } {
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new Error(`${what} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? error}).`);
    }
  };
  const cert = read(certFile, 'The TLS certificate');
  const key = read(keyFile, 'The TLS key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new Error(`the TLS certificate ${certFile} is not a PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new Error(`the TLS key ${keyFile} is not an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----).`);
  }
  if (!certificate.checkPrivateKey(privateKey))
    throw new Error(`the TLS key ${keyFile} does not belong to the certificate ${certFile}.`);
  if (Date.parse(certificate.validTo) < Date.now())
    throw new Error(`the TLS certificate ${certFile} expired on ${certificate.validTo}.`);
  return { cert, key, certificate };
}

/** The concrete DNS names (no wildcards) a certificate's subjectAltName lists. */
function certificateNames(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '')
    .split(', ')
    .map((entry) => /^DNS:(.+)$/.exec(entry)?.[1]?.toLowerCase())
    .filter((name): name is string => name !== undefined && !name.includes('*'));
}

/** The addresses a wildcard bind answers on, this machine's LAN addresses first. */
function interfaceAddresses(ipv4Only: boolean): string[] {
  const all = Object.values(os.networkInterfaces()).flatMap((entries) => entries ?? []);
  return all
    .filter((entry) => (!ipv4Only || entry.family === 'IPv4') && !entry.address.startsWith('fe80:'))
    .sort((a, b) => Number(a.internal) - Number(b.internal))
    .map((entry) => entry.address.toLowerCase());
}

/** The address a server answers on: which Host and Origin it accepts, and the URL it prints. */
export class ServedAddress {
  readonly scheme: 'http' | 'https';
  /** The name the printed URL carries (and so the annotator links the UI makes from its own origin). */
  readonly urlName: string;
  /** False when TLS is on and the certificate names neither the address nor any concrete name: browsers will warn. */
  readonly certificateCoversUrl: boolean;
  private readonly names: Set<string>;
  private readonly certificate: X509Certificate | null;

  constructor(
    hostname: string,
    readonly port: number,
    tls: ServerTls | null,
  ) {
    const bound = bareAddress(hostname);
    this.scheme = tls ? 'https' : 'http';
    this.certificate = tls ? new X509Certificate(tls.cert) : null;
    const served = isWildcardAddress(bound)
      ? interfaceAddresses(bound === '0.0.0.0')
      : isLoopbackAddress(bound)
        ? [bound, ...LOOPBACK_NAMES]
        : [bound];
    this.names = new Set(isWildcardAddress(bound) ? [...served, 'localhost'] : served);
    // With TLS the URL names what the certificate covers (a browser refuses anything else): the address when it
    // does, else the certificate's first concrete name.
    const candidates = [...served, ...(this.certificate ? certificateNames(this.certificate) : [])];
    const covered = candidates.find((name) => this.certificateCovers(name));
    this.certificateCoversUrl = !this.certificate || covered !== undefined;
    this.urlName = (this.certificate ? covered : undefined) ?? served[0] ?? bound;
  }

  get baseUrl(): string {
    return `${this.scheme}://${urlHost(this.urlName)}:${this.port}/`;
  }

  private certificateCovers(name: string): boolean {
    if (!this.certificate) return false;
    return net.isIP(name)
      ? this.certificate.checkIP(name) !== undefined
      : this.certificate.checkHost(name) !== undefined;
  }

  /**
   * Why a request is refused, or null. DNS rebinding sends a foreign name in Host; a page elsewhere sends its own
   * Origin. A Host is accepted when it names this port and an address served, or a name the certificate covers.
   */
  refusal(hostHeader: string | undefined, origin: string | undefined): string | null {
    const given = (hostHeader ?? '').toLowerCase();
    const parsed = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(given);
    const name = parsed ? bareAddress(parsed[1]!) : '';
    const port = parsed?.[2] ? Number(parsed[2]) : this.scheme === 'https' ? 443 : 80;
    const known =
      parsed !== null &&
      port === this.port &&
      (this.names.has(name) || (!net.isIP(name) && this.certificateCovers(name)));
    if (!known) return `Host "${given}" is not this server's address; open ${this.baseUrl}`;
    if (origin !== undefined && origin !== `${this.scheme}://${given}`)
      return `Requests from ${origin} are not accepted; Sift answers only its own page.`;
    return null;
  }
}
