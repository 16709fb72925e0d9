#!/usr/bin/env node
/**
 * Runs before the browser tests (`pretest:e2e`): makes sure the Chromium they drive exists.
 *   - $RESNET_CHROMIUM (default /usr/bin/chromium) runs → nothing to do.
 *   - missing, RESNET_CHROMIUM not set, running as root with apt-get → installs Debian's `chromium` package.
 *   - otherwise → names the one command to run and exits 1.
 * Never downloads a browser build of its own (no `playwright install`): the tests use the distribution's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chromiumPath, DEFAULT_CHROMIUM } from './paths.mjs';

const path = chromiumPath();

/** The binary's version line, or undefined when it is absent or does not run. */
function version(bin) {
  try {
    accessSync(bin, constants.X_OK);
    return execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function fail(message) {
  console.error(`ensure-chromium: ${message}`);
  process.exit(1);
}

let found = version(path);
if (found) {
  console.log(`ensure-chromium: ${found} at ${path}`);
  process.exit(0);
}
if (process.env.RESNET_CHROMIUM) {
  fail(`RESNET_CHROMIUM=${path} is not a Chromium that runs (\`${path} --version\` failed). Point it at one, or unset it to use Debian's ${DEFAULT_CHROMIUM}.`);
}
const isRoot = process.getuid?.() === 0;
const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  fail(
    `no Chromium at ${path}. Install Debian's: \`sudo apt-get install chromium\` ` +
      `(or set RESNET_CHROMIUM to a Chromium binary). ${hasApt ? 'Not root, so not installing it myself.' : 'apt-get is not available here.'}`,
  );
}
console.log(`ensure-chromium: no Chromium at ${path}; installing Debian's chromium package with apt-get…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
  const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
  if (r.status !== 0) fail(`\`apt-get ${args.join(' ')}\` failed (exit ${r.status ?? r.signal}).`);
}
found = version(path);
if (!found) fail(`apt-get installed chromium, but ${path} still does not run.`);
console.log(`ensure-chromium: installed ${found} at ${path}`);
