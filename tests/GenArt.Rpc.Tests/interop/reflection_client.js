#!/usr/bin/env node
// A grpcurl-style client on @grpc/grpc-js: discovers services through server reflection, loads their
// descriptors (no .proto files of the target services), then calls a method with a JSON request.
// Prints one JSON line: {"ok": bool, "services": [...], "file_count": N, "response": {...}, "detail": "..."}.
//
// usage: node reflection_client.js --server_port=PORT [--server_host=127.0.0.1] [--version=v1|v1alpha]
//        [--call=package.Service/Method --request=JSON]
'use strict';

const path = require('path');

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const nodeModules = path.join(repoRoot, 'tools', 'node', 'node_modules');
const grpc = require(path.join(nodeModules, '@grpc/grpc-js'));
const protoLoader = require(path.join(nodeModules, '@grpc/proto-loader'));

const args = {};
for (const a of process.argv.slice(2)) {
  const m = /^--([^=]+)=(.*)$/.exec(a);
  if (m) args[m[1]] = m[2];
}
const target = `${args.server_host || '127.0.0.1'}:${args.server_port}`;
const version = args.version || 'v1';

function fail(detail) {
  console.log(JSON.stringify({ ok: false, detail }));
  process.exit(1);
}

// The reflection protocol's own definition is the one proto a reflection client needs up front.
const reflectionDef = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, {
  includeDirs: [path.join(repoRoot, 'protos')], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
});
const reflectionPkg = grpc.loadPackageDefinition(reflectionDef).grpc.reflection[version];
const reflection = new reflectionPkg.ServerReflection(target, grpc.credentials.createInsecure());

function ask(requests) {
  return new Promise((resolve, reject) => {
    const out = [];
    const call = reflection.ServerReflectionInfo({ deadline: new Date(Date.now() + 10000) });
    call.on('data', (m) => out.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(out));
    for (const r of requests) call.write(r);
    call.end();
  });
}

function varint(n) {
  const bytes = [];
  while (n > 127) { bytes.push((n & 0x7f) | 0x80); n >>>= 7; }
  bytes.push(n);
  return Buffer.from(bytes);
}

async function main() {
  const [list] = await ask([{ list_services: '*' }]);
  if (list.message_response !== 'list_services_response') fail(`list_services: ${JSON.stringify(list)}`);
  const services = list.list_services_response.service.map((s) => s.name);
  const result = { ok: true, services };

  if (args.call) {
    const [svc, method] = args.call.split('/');
    const [sym] = await ask([{ file_containing_symbol: `${svc}.${method}` }]);
    if (sym.message_response !== 'file_descriptor_response') fail(`file_containing_symbol: ${JSON.stringify(sym.error_response)}`);
    const files = sym.file_descriptor_response.file_descriptor_proto;
    // FileDescriptorSet { repeated FileDescriptorProto file = 1; }
    const set = Buffer.concat(files.flatMap((f) => [Buffer.from([0x0a]), varint(f.length), f]));
    const def = protoLoader.loadFileDescriptorSetFromBuffer(set, {
      keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
    });
    let ctor = grpc.loadPackageDefinition(def);
    for (const part of svc.split('.')) ctor = ctor && ctor[part];
    if (typeof ctor !== 'function') fail(`service ${svc} not found in reflected descriptors`);
    const client = new ctor(target, grpc.credentials.createInsecure());
    result.response = await new Promise((resolve, reject) => {
      client[method](JSON.parse(args.request || '{}'), { deadline: new Date(Date.now() + 10000) },
        (err, res) => (err ? reject(err) : resolve(res)));
    });
    result.file_count = files.length;
    client.close();
  }
  console.log(JSON.stringify(result, (k, v) => (v && v.type === 'Buffer' ? { length: v.data.length } : v)));
  reflection.close();
  process.exit(0);
}

main().catch((e) => fail(`${e.message || e} (code ${e.code})`));
