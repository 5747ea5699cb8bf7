/**
 * `sift serve --host ADDR`: a labeling host for the LAN. Real `sift serve` processes on this machine's LAN address
 * (its first non-loopback IPv4 address; 0.0.0.0 where it has none), a certificate made by openssl at test time,
 * requests over real sockets: HTTPS with the certificate trusted is answered, plain HTTP is not, Host and Origin
 * follow the address served, a LAN address without TLS is refused, and --insecure-lan says so when it starts.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackAddress, ServedAddress } from '../../electron/serverAddress';
import { home, sift } from './cliFixture';
import { tempDir } from './support';

const lanAddress =
  Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .find((entry) => entry.family === 'IPv4' && !entry.internal)?.address ?? '0.0.0.0';
/** Where a client connects: the LAN address itself, or loopback when the server listens on every interface. */
const connectTo = lanAddress === '0.0.0.0' ? '127.0.0.1' : lanAddress;

const dir = tempDir('sift-serve-lan-');
const workspace = path.join(dir, 'ws');
const certFile = path.join(dir, 'cert.pem');
const keyFile = path.join(dir, 'key.pem');
const running = new Set<ChildProcess>();

beforeAll(async () => {
  execFileSync(
    '/usr/bin/openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=sift-lan-test'],
      ...['-keyout', keyFile, '-out', certFile],
      ...['-addext', `subjectAltName=IP:${connectTo},DNS:sift.test`],
    ],
    { stdio: 'ignore' },
  );
  expect((await sift('init', '--workspace', workspace)).code).toBe(0);
}, 60_000);

afterAll(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A `sift serve` process, once it has printed its URL; `stop` sends SIGTERM and waits for its exit code. */
async function serve(...args: string[]) {
  const child = spawn('node', ['bin/sift.mjs', 'serve', '--workspace', workspace, ...args], {
    env: { ...process.env, SIFT_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<URL>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Sift is serving .* at (\S+)/.exec(stdout);
      if (match) resolve(new URL(match[1]!));
    });
    void exited.then((code) => reject(new Error(`sift serve exited with ${code}:\n${stdout}${stderr}`)));
  });
  return {
    url,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      running.delete(child);
      return code;
    },
  };
}

interface Answer {
  status: number;
  body: string;
}

/** A raw request to the server, so Host and Origin can be anything; `ca` trusts the test's certificate. */
function request(
  scheme: 'http' | 'https',
  port: number,
  options: { headers?: Record<string, string>; token?: string; ca?: Buffer; servername?: string; anyName?: boolean },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = (scheme === 'https' ? https : http).request(
      {
        host: connectTo,
        port,
        method: 'POST',
        path: '/api/workspace.info',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}`, ...options.headers },
        ca: options.ca,
        servername: options.servername,
        // A client fooled by DNS rebinding would send a foreign Host; what the server does with it is under test.
        ...(options.anyName ? { checkServerIdentity: () => undefined } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

describe('sift serve --host with TLS', () => {
  it('answers HTTPS with the certificate trusted, not plain HTTP, and only its own Host and Origin', async () => {
    const server = await serve('--host', lanAddress, '--tls-cert', certFile, '--tls-key', keyFile);
    try {
      const { url } = server;
      const port = Number(url.port);
      const token = url.searchParams.get('token')!;
      const ca = fs.readFileSync(certFile);
      // The printed URL (and so the annotator links the page makes from its origin) is the served address, over https.
      expect(url.protocol).toBe('https:');
      expect(url.hostname).toBe(connectTo);
      expect(server.stderr()).not.toContain('warning');

      const own = `${connectTo}:${port}`;
      expect(await request('https', port, { token, ca })).toMatchObject({ status: 200 });
      expect(await request('https', port, { token, ca, headers: { origin: `https://${own}` } })).toMatchObject({
        status: 200,
      });
      // A name the certificate covers reaches it too (the LAN's DNS name for the host).
      expect(
        await request('https', port, {
          token,
          ca,
          servername: 'sift.test',
          headers: { host: `sift.test:${port}`, origin: `https://sift.test:${port}` },
        }),
      ).toMatchObject({ status: 200 });
      // Without the certificate trusted, the client refuses the server.
      await expect(request('https', port, { token })).rejects.toThrow(/self-signed|certificate/i);
      // Plain HTTP gets no answer from a TLS socket.
      await expect(request('http', port, { token })).rejects.toThrow();
      // DNS rebinding (a foreign Host), a page elsewhere, and this address's own page over http are all refused.
      const refused: Record<string, string>[] = [
        { host: `evil.example:${port}` },
        // Loopback is not the address served (unless the fallback serves every interface).
        ...(lanAddress === '0.0.0.0' ? [] : [{ host: `127.0.0.1:${port}` }]),
        { host: `${connectTo}:${port + 1}` },
        { origin: 'https://evil.example' },
        { origin: `http://${own}` },
      ];
      for (const headers of refused)
        expect(await request('https', port, { token, ca, headers, anyName: true })).toMatchObject({
          status: 403,
          body: expect.stringMatching(/not this server's address|not accepted/),
        });
      // The token is still asked for.
      expect(await request('https', port, { token: 'wrong', ca })).toMatchObject({ status: 401 });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);

  it('refuses a LAN address without TLS, naming the flags, and bad certificate files, naming the file', async () => {
    const plain = await sift('serve', '--workspace', workspace, '--host', lanAddress);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/--tls-cert FILE and --tls-key FILE, or --insecure-lan/);
    expect(plain.stdout).toBe('');

    const otherKey = path.join(dir, 'other-key.pem');
    execFileSync('/usr/bin/openssl', ['genpkey', '-algorithm', 'RSA', '-out', otherKey], { stdio: 'ignore' });
    const tls = (cert: string, key: string) =>
      sift('serve', '--workspace', workspace, '--host', lanAddress, '--tls-cert', cert, '--tls-key', key);
    for (const [cert, key, message] of [
      [path.join(dir, 'missing.pem'), keyFile, `${path.join(dir, 'missing.pem')} cannot be read`],
      [keyFile, keyFile, `${keyFile} is not a PEM certificate`],
      [certFile, certFile, `${certFile} is not an unencrypted PEM private key`],
      [certFile, otherKey, `${otherKey} does not belong to the certificate ${certFile}`],
    ]) {
      const refused = await tls(cert!, key!);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(message);
    }
    const noToken = await sift('serve', '--workspace', workspace, '--host', lanAddress, '--insecure-lan', '--no-token');
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('--no-token is for 127.0.0.1 only');
  }, 120_000);

  it('serves plain HTTP on a LAN address with --insecure-lan, and warns on stderr when it starts', async () => {
    const server = await serve('--host', lanAddress, '--insecure-lan');
    try {
      expect(server.url.protocol).toBe('http:');
      expect(server.stderr()).toMatch(
        new RegExp(`warning: serving ${lanAddress.replace(/\./g, '\\.')} over plain HTTP`),
      );
      const token = server.url.searchParams.get('token')!;
      expect(await request('http', Number(server.url.port), { token })).toMatchObject({ status: 200 });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);
});

describe('the address served', () => {
  it('knows loopback from LAN, and takes IPv6 and the default HTTPS port in Host', () => {
    for (const address of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of ['192.0.2.2', '0.0.0.0', '::', 'fd00::2', 'sift.lan'])
      expect(isLoopbackAddress(address), address).toBe(false);

    const loopback = new ServedAddress('127.0.0.1', 4000, null);
    expect(loopback.baseUrl).toBe('http://127.0.0.1:4000/');
    for (const host of ['127.0.0.1:4000', 'localhost:4000', '[::1]:4000'])
      expect(loopback.refusal(host, undefined), host).toBeNull();
    for (const host of ['127.0.0.1:4001', 'evil.example:4000', '127.0.0.1:4000/x', '', undefined])
      expect(loopback.refusal(host, undefined), String(host)).toMatch(/not this server's address/);

    const v6 = new ServedAddress('fd00::2', 443, { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
    expect(v6.refusal('[fd00::2]', 'https://[fd00::2]')).toBeNull();
    expect(v6.refusal('[fd00::2]:443', undefined)).toBeNull();
    expect(v6.refusal('sift.test', 'https://sift.test')).toBeNull();
    expect(v6.refusal('[fd00::2]', 'http://[fd00::2]')).toMatch(/not accepted/);
    // The certificate names sift.test, not fd00::2: the URL carries the name a browser will accept.
    expect(v6.baseUrl).toBe('https://sift.test:443/');
  });
});
