/**
 * package.json's engines.node is the truth: every installed package (nested ones included) runs on every Node it
 * admits. A dependency that needs a newer Node than Sift declares (npm's EBADENGINE warning) fails here by name.
 */
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const declared = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;

/** Every package folder under a node_modules folder, scoped and nested ones included. */
function installedPackages(nodeModules: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = path.join(nodeModules, entry.name);
    const dirs = entry.name.startsWith('@')
      ? fs
          .readdirSync(dir, { withFileTypes: true })
          .filter((scoped) => scoped.isDirectory())
          .map((scoped) => path.join(dir, scoped.name))
      : [dir];
    for (const pkg of dirs) {
      if (fs.existsSync(path.join(pkg, 'package.json'))) found.push(pkg);
      if (fs.existsSync(path.join(pkg, 'node_modules')))
        found.push(...installedPackages(path.join(pkg, 'node_modules')));
    }
  }
  return found;
}

describe('engines.node', () => {
  it('is a valid range that admits the Node these machines have (20.19 and later 20.x)', () => {
    expect(semver.validRange(declared)).not.toBeNull();
    expect(semver.satisfies('20.19.0', declared)).toBe(true);
    expect(semver.satisfies(process.version, declared)).toBe(true);
  });

  it('is admitted by every installed package', () => {
    const packages = installedPackages('node_modules');
    expect(packages.length).toBeGreaterThan(100);
    const refusing = packages.flatMap((dir) => {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
        engines?: { node?: unknown };
      };
      const range = manifest.engines?.node;
      if (typeof range !== 'string') return [];
      const valid = semver.validRange(range) !== null;
      return valid && semver.subset(declared, range)
        ? []
        : [
            `${manifest.name}@${manifest.version} (${dir}) needs node ${range}${valid ? '' : ' (not a range semver reads)'}`,
          ];
    });
    expect(refusing, `package.json declares node ${declared}`).toEqual([]);
  });
});
