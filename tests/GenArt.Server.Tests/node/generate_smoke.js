#!/usr/bin/env node
// Smoke client for the genart.v1 API on @grpc/grpc-js (an independent gRPC implementation): one Generate call
// with a bearer key, then one without. Prints one JSON line: the events seen and both final statuses.
//
// usage: node generate_smoke.js PORT API_KEY
'use strict';

const path = require('path');
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const nodeModules = path.join(repoRoot, 'tools', 'node', 'node_modules');
function need(name) {
  try {
    return require(path.join(nodeModules, name));
  } catch (e) {
    console.log(JSON.stringify({ error: `cannot load ${name} from ${nodeModules}: run npm ci --prefix tools/node (${e.message})` }));
    process.exit(2);
  }
}
const grpc = need('@grpc/grpc-js');
const protoLoader = need('@grpc/proto-loader');

const [port, key] = process.argv.slice(2);
const definition = protoLoader.loadSync('genart/v1/generation.proto', {
  includeDirs: [path.join(repoRoot, 'protos')], keepCase: true, longs: String, defaults: true, oneofs: true,
});
const Generation = grpc.loadPackageDefinition(definition).genart.v1.Generation;
const client = new Generation(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

function generate(metadata) {
  return new Promise((resolve) => {
    const events = [];
    const request = { model: 'pipeline', prompt: 'smoke from grpc-js', width: 128, height: 128, steps: 3, scheduler: 'ddim', seed: '5' };
    const call = client.Generate(request, metadata, { deadline: Date.now() + 60000 });
    call.on('data', (e) => events.push({ kind: e.event, sequence: e.sequence, png: e.image ? e.image.png.length : 0, seed: e.image ? e.image.seed : null }));
    call.on('error', (err) => resolve({ code: err.code, details: err.details, events }));
    call.on('status', (s) => { if (s.code === 0) resolve({ code: 0, details: s.details, events }); });
  });
}

(async () => {
  const authorized = new grpc.Metadata();
  authorized.set('authorization', `Bearer ${key}`);
  const ok = await generate(authorized);
  const anonymous = await generate(new grpc.Metadata());
  console.log(JSON.stringify({ ok, anonymous }));
  client.close();
})();
