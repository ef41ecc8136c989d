#!/usr/bin/env node
// The npm registry copy this project's machines reach holds @bufbuild/buf's Linux binary packages only, so
// `npm install` writes a package-lock.json without buf's other-platform optional packages, and `npm ci`
// then refuses the lockfile as out of sync. This adds those entries (platform-restricted, never installed on
// Linux, hence no integrity hash here). Run after regenerating the lockfile: node tools/node/complete-lock.js
'use strict';
const fs = require('fs');
const path = require('path');

const lockPath = path.join(__dirname, 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const buf = lock.packages['node_modules/@bufbuild/buf'];
const platforms = {
  'buf-darwin-arm64': ['darwin', 'arm64'],
  'buf-darwin-x64': ['darwin', 'x64'],
  'buf-linux-aarch64': ['linux', 'arm64'],
  'buf-linux-armv7': ['linux', 'arm'],
  'buf-linux-x64': ['linux', 'x64'],
  'buf-win32-arm64': ['win32', 'arm64'],
  'buf-win32-x64': ['win32', 'x64'],
};
let added = 0;
for (const [name, [os, cpu]] of Object.entries(platforms)) {
  const key = `node_modules/@bufbuild/${name}`;
  if (lock.packages[key]) continue;
  lock.packages[key] = {
    version: buf.version, cpu: [cpu], license: 'Apache-2.0', optional: true, os: [os], engines: { node: '>=12' },
  };
  added += 1;
}
const sorted = {};
for (const k of Object.keys(lock.packages).sort()) sorted[k] = lock.packages[k];
lock.packages = sorted;
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lock: added ${added} platform entries`);
