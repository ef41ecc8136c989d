#!/usr/bin/env node
// gRPC interop test client for GenArt.Rpc, built on @grpc/grpc-js (an independent gRPC implementation).
// Runs one case of doc/interop-test-descriptions.md (grpc/grpc) against a server and prints one JSON verdict
// line: {"case": "...", "ok": true|false, "detail": "..."}. Exit code 0 = pass, 1 = fail, 2 = usage/setup.
//
// usage: node interop_client.js --server_host=127.0.0.1 --server_port=PORT --test_case=NAME
//        [--use_tls=true --ca_file=PATH --server_host_override=localhost]
'use strict';

const path = require('path');
const fs = require('fs');
const http2 = require('http2');
const zlib = require('zlib');
const assert = require('assert');

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const nodeModules = path.join(repoRoot, 'tools', 'node', 'node_modules');
function need(name) {
  try {
    return require(path.join(nodeModules, name));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, detail: `cannot load ${name} from ${nodeModules}: run npm ci --prefix tools/node (${e.message})` }));
    process.exit(2);
  }
}
const grpc = need('@grpc/grpc-js');
const protoLoader = need('@grpc/proto-loader');

const args = {};
for (const a of process.argv.slice(2)) {
  const m = /^--([^=]+)=(.*)$/.exec(a);
  if (m) args[m[1]] = m[2];
}
const host = args.server_host || '127.0.0.1';
const port = args.server_port;
const testCase = args.test_case;
const useTls = args.use_tls === 'true';
if (!port || !testCase) {
  console.log(JSON.stringify({ ok: false, detail: 'usage: --server_port=PORT --test_case=NAME' }));
  process.exit(2);
}

const protoDir = path.join(repoRoot, 'protos');
const def = protoLoader.loadSync('grpc/testing/test.proto', {
  includeDirs: [protoDir], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
});
const proto = grpc.loadPackageDefinition(def).grpc.testing;

function credentials() {
  if (!useTls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(fs.readFileSync(args.ca_file));
}
function channelOptions(extra) {
  const o = Object.assign({}, extra || {});
  if (args.server_host_override) o['grpc.ssl_target_name_override'] = args.server_host_override;
  return o;
}
function newClient(ctor, extra) {
  return new ctor(`${host}:${port}`, credentials(), channelOptions(extra));
}

const client = newClient(proto.TestService);
const zeros = (n) => Buffer.alloc(n);
const deadlineIn = (ms) => new Date(Date.now() + ms);

function unary(c, method, req, md, opts) {
  // grpc-js invokes the callback before the 'status' event (which carries the trailers): settle on both.
  return new Promise((resolve, reject) => {
    let initial = null;
    let outcome = null;
    let trailing = null;
    const settle = () => {
      if (!outcome || !trailing) return;
      if (outcome.err) { outcome.err.initial = initial; outcome.err.trailing = trailing; reject(outcome.err); }
      else resolve({ res: outcome.res, initial, trailing });
    };
    const call = c[method](req, md || new grpc.Metadata(), Object.assign({ deadline: deadlineIn(20000) }, opts || {}),
      (err, res) => { outcome = { err, res }; settle(); });
    call.on('metadata', (m) => { initial = m; });
    call.on('status', (s) => { trailing = s.metadata; settle(); });
  });
}

function expectError(promise, code) {
  return promise.then(
    () => { throw new Error(`expected status ${code}, call succeeded`); },
    (err) => {
      if (err.code !== code) throw new Error(`expected status ${code}, got ${err.code} (${err.details})`);
      return err;
    });
}

// Reads the raw gRPC frames of a unary response with node's http2 module, to see the compressed flag
// (grpc-js hides it).
function rawUnaryFlags(methodPath, requestBytes) {
  return new Promise((resolve, reject) => {
    const session = useTls
      ? http2.connect(`https://${host}:${port}`, { ca: fs.readFileSync(args.ca_file), servername: args.server_host_override || 'localhost' })
      : http2.connect(`http://${host}:${port}`);
    session.on('error', reject);
    const frame = Buffer.alloc(5 + requestBytes.length);
    frame.writeUInt32BE(requestBytes.length, 1);
    requestBytes.copy(frame, 5);
    const req = session.request({
      ':method': 'POST', ':path': methodPath, 'content-type': 'application/grpc', te: 'trailers',
      'grpc-accept-encoding': 'identity,gzip',
    });
    let headers = null;
    const chunks = [];
    req.on('response', (h) => { headers = h; });
    req.on('data', (d) => chunks.push(d));
    req.on('trailers', (t) => { headers = Object.assign({}, headers, { trailers: t }); });
    req.on('end', () => {
      session.close();
      const body = Buffer.concat(chunks);
      const flags = [];
      const lengths = [];
      let off = 0;
      while (off + 5 <= body.length) {
        const len = body.readUInt32BE(off + 1);
        flags.push(body[off]);
        let payload = body.subarray(off + 5, off + 5 + len);
        if (body[off] === 1) payload = zlib.gunzipSync(payload);
        lengths.push(payload.length);
        off += 5 + len;
      }
      resolve({ headers, flags, lengths });
    });
    req.on('error', reject);
    req.end(frame);
  });
}

const protobuf = need('protobufjs');

function encodeSimpleRequest(obj) {
  // Build a protobufjs Root from the same proto file to encode a request for the raw call.
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => path.join(protoDir, target);
  root.loadSync('grpc/testing/test.proto', { keepCase: true });
  const T = root.lookupType('grpc.testing.SimpleRequest');
  return Buffer.from(T.encode(T.fromObject(obj)).finish());
}

const cases = {
  async empty_unary() {
    const { res } = await unary(client, 'EmptyCall', {});
    assert.ok(res, 'response is null');
  },

  async large_unary() {
    const { res } = await unary(client, 'UnaryCall', { response_size: 314159, payload: { body: zeros(271828) } });
    assert.strictEqual(res.payload.body.length, 314159);
    assert.ok(res.payload.body.equals(zeros(314159)), 'payload not all zeros');
  },

  async client_compressed_unary() {
    const gz = newClient(proto.TestService, { 'grpc.default_compression_algorithm': 2 });
    // 1. probe: uncompressed message that claims to expect compression -> INVALID_ARGUMENT
    await expectError(unary(client, 'UnaryCall',
      { expect_compressed: { value: true }, response_size: 314159, payload: { body: zeros(271828) } }),
    grpc.status.INVALID_ARGUMENT);
    // 2. compressed
    const r2 = await unary(gz, 'UnaryCall',
      { expect_compressed: { value: true }, response_size: 314159, payload: { body: zeros(271828) } });
    assert.strictEqual(r2.res.payload.body.length, 314159);
    // 3. uncompressed
    const r3 = await unary(client, 'UnaryCall',
      { expect_compressed: { value: false }, response_size: 314159, payload: { body: zeros(271828) } });
    assert.strictEqual(r3.res.payload.body.length, 314159);
    gz.close();
  },

  async server_compressed_unary() {
    for (const compressed of [true, false]) {
      const req = { response_compressed: { value: compressed }, response_size: 314159, payload: { body: zeros(271828) } };
      const { res } = await unary(client, 'UnaryCall', req);
      assert.strictEqual(res.payload.body.length, 314159);
      // grpc-js does not expose the message flag: check it on the wire with node's http2 client.
      const raw = await rawUnaryFlags('/grpc.testing.TestService/UnaryCall', encodeSimpleRequest(req));
      assert.strictEqual(String(raw.headers.trailers && raw.headers.trailers['grpc-status']), '0', 'raw call status');
      assert.deepStrictEqual(raw.flags, [compressed ? 1 : 0], `compressed flag for response_compressed=${compressed}`);
      if (compressed) assert.strictEqual(raw.headers['grpc-encoding'], 'gzip');
      // payload: field 1 (Payload) containing 314159 zero bytes, so the message is a bit larger
      assert.ok(raw.lengths[0] > 314159, 'raw message length');
    }
  },

  async client_streaming() {
    const sizes = [27182, 8, 1828, 45904];
    const res = await new Promise((resolve, reject) => {
      const call = client.StreamingInputCall({ deadline: deadlineIn(20000) }, (err, r) => (err ? reject(err) : resolve(r)));
      for (const n of sizes) call.write({ payload: { body: zeros(n) } });
      call.end();
    });
    assert.strictEqual(res.aggregated_payload_size, 74922);
  },

  async server_streaming() {
    const sizes = [31415, 9, 2653, 58979];
    const got = await new Promise((resolve, reject) => {
      const out = [];
      const call = client.StreamingOutputCall({ response_parameters: sizes.map((size) => ({ size })) },
        { deadline: deadlineIn(20000) });
      call.on('data', (m) => out.push(m.payload.body.length));
      call.on('error', reject);
      call.on('status', (s) => { if (s.code === grpc.status.OK) resolve(out); });
    });
    assert.deepStrictEqual(got, sizes);
  },

  async custom_metadata() {
    const md = () => {
      const m = new grpc.Metadata();
      m.set('x-grpc-test-echo-initial', 'test_initial_metadata_value');
      m.set('x-grpc-test-echo-trailing-bin', Buffer.from([0xab, 0xab, 0xab]));
      return m;
    };
    const check = (initial, trailing, what) => {
      assert.ok(initial, `${what}: no initial metadata`);
      assert.deepStrictEqual(initial.get('x-grpc-test-echo-initial'), ['test_initial_metadata_value'], `${what}: initial`);
      assert.ok(trailing, `${what}: no trailing metadata`);
      const t = trailing.get('x-grpc-test-echo-trailing-bin');
      assert.strictEqual(t.length, 1, `${what}: trailing count`);
      assert.ok(Buffer.from([0xab, 0xab, 0xab]).equals(t[0]), `${what}: trailing value ${t[0] && t[0].toString('hex')}`);
    };
    const u = await unary(client, 'UnaryCall', { response_size: 314159, payload: { body: zeros(271828) } }, md());
    assert.strictEqual(u.res.payload.body.length, 314159);
    check(u.initial, u.trailing, 'UnaryCall');

    const d = await new Promise((resolve, reject) => {
      let initial = null;
      let n = 0;
      const call = client.FullDuplexCall(md(), { deadline: deadlineIn(20000) });
      call.on('metadata', (m) => { initial = m; });
      call.on('data', (m) => { n += m.payload.body.length; });
      call.on('error', reject);
      call.on('status', (s) => { if (s.code === grpc.status.OK) resolve({ initial, trailing: s.metadata, n }); });
      call.write({ response_parameters: [{ size: 314159 }], payload: { body: zeros(271828) } });
      call.end();
    });
    assert.strictEqual(d.n, 314159);
    check(d.initial, d.trailing, 'FullDuplexCall');
  },

  async status_code_and_message() {
    const status = { code: 2, message: 'test status message' };
    const e1 = await expectError(unary(client, 'UnaryCall', { response_status: status }), 2);
    assert.strictEqual(e1.details, status.message);
    const e2 = await new Promise((resolve) => {
      const call = client.FullDuplexCall({ deadline: deadlineIn(20000) });
      call.on('data', () => {});
      call.on('error', (e) => resolve(e));
      call.on('status', (s) => { if (s.code === grpc.status.OK) resolve({ code: 0, details: '' }); });
      call.write({ response_status: status });
      call.end();
    });
    assert.strictEqual(e2.code, 2);
    assert.strictEqual(e2.details, status.message);
  },

  async special_status_message() {
    const message = '\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \uD83D\uDE08\t\n';
    const e = await expectError(unary(client, 'UnaryCall', { response_status: { code: 2, message } }), 2);
    assert.strictEqual(e.details, message);
  },

  async unimplemented_method() {
    await expectError(unary(client, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
  },

  async unimplemented_service() {
    const c = newClient(proto.UnimplementedService);
    await expectError(unary(c, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
    c.close();
  },

  async cancel_after_begin() {
    const err = await new Promise((resolve) => {
      const call = client.StreamingInputCall({ deadline: deadlineIn(20000) }, (e, r) => resolve(e || { code: 0, r }));
      call.cancel();
    });
    assert.strictEqual(err.code, grpc.status.CANCELLED);
  },

  async cancel_after_first_response() {
    const err = await new Promise((resolve) => {
      const call = client.FullDuplexCall({ deadline: deadlineIn(20000) });
      let got = 0;
      call.on('data', (m) => {
        got += 1;
        assert.strictEqual(m.payload.body.length, 31415);
        call.cancel();
      });
      call.on('error', (e) => resolve(Object.assign(e, { got })));
      call.on('status', (s) => { if (s.code === grpc.status.OK) resolve({ code: 0, got }); });
      call.write({ response_parameters: [{ size: 31415 }], payload: { body: zeros(27182) } });
    });
    assert.strictEqual(err.got, 1, 'responses before cancel');
    assert.strictEqual(err.code, grpc.status.CANCELLED);
  },

  async timeout_on_sleeping_server() {
    const err = await new Promise((resolve) => {
      const call = client.FullDuplexCall({ deadline: new Date(Date.now() + 1) });
      call.on('data', () => {});
      call.on('error', (e) => resolve(e));
      call.on('status', (s) => { if (s.code === grpc.status.OK) resolve({ code: 0 }); });
      call.write({ payload: { body: zeros(27182) } });
    });
    assert.strictEqual(err.code, grpc.status.DEADLINE_EXCEEDED);
  },

  // Extra cases from the same document, beyond the required list.
  async ping_pong() {
    const sizes = [[31415, 27182], [9, 8], [2653, 1828], [58979, 45904]];
    const got = await new Promise((resolve, reject) => {
      const out = [];
      const call = client.FullDuplexCall({ deadline: deadlineIn(20000) });
      let i = 0;
      const send = () => call.write({ response_parameters: [{ size: sizes[i][0] }], payload: { body: zeros(sizes[i][1]) } });
      call.on('data', (m) => {
        out.push(m.payload.body.length);
        i += 1;
        if (i < sizes.length) send(); else call.end();
      });
      call.on('error', reject);
      call.on('status', (s) => { if (s.code === grpc.status.OK) resolve(out); });
      send();
    });
    assert.deepStrictEqual(got, sizes.map((s) => s[0]));
  },

  async empty_stream() {
    const n = await new Promise((resolve, reject) => {
      let count = 0;
      const call = client.FullDuplexCall({ deadline: deadlineIn(20000) });
      call.on('data', () => { count += 1; });
      call.on('error', reject);
      call.on('status', (s) => { if (s.code === grpc.status.OK) resolve(count); });
      call.end();
    });
    assert.strictEqual(n, 0);
  },

  async server_compressed_streaming() {
    const got = await new Promise((resolve, reject) => {
      const out = [];
      const call = client.StreamingOutputCall({
        response_parameters: [{ size: 31415, compressed: { value: true } }, { size: 92653, compressed: { value: false } }],
      }, { deadline: deadlineIn(20000) });
      call.on('data', (m) => out.push(m.payload.body.length));
      call.on('error', reject);
      call.on('status', (s) => { if (s.code === grpc.status.OK) resolve(out); });
    });
    assert.deepStrictEqual(got, [31415, 92653]);
  },

  async client_compressed_streaming() {
    const gz = newClient(proto.TestService, { 'grpc.default_compression_algorithm': 2 });
    const res = await new Promise((resolve, reject) => {
      const call = gz.StreamingInputCall({ deadline: deadlineIn(20000) }, (err, r) => (err ? reject(err) : resolve(r)));
      call.write({ expect_compressed: { value: true }, payload: { body: zeros(27182) } });
      call.write({ expect_compressed: { value: false }, payload: { body: zeros(45904) } }, 2 /* NoCompress */);
      call.end();
    });
    assert.strictEqual(res.aggregated_payload_size, 73086);
    gz.close();
  },
};

async function main() {
  const fn = cases[testCase];
  if (!fn) {
    console.log(JSON.stringify({ case: testCase, ok: false, detail: `unknown test case; known: ${Object.keys(cases).join(',')}` }));
    process.exit(2);
  }
  const timer = setTimeout(() => {
    console.log(JSON.stringify({ case: testCase, ok: false, detail: 'timed out after 30 s' }));
    process.exit(1);
  }, 30000);
  try {
    await fn();
    clearTimeout(timer);
    console.log(JSON.stringify({ case: testCase, ok: true, detail: 'passed' }));
    client.close();
    process.exit(0);
  } catch (e) {
    clearTimeout(timer);
    console.log(JSON.stringify({ case: testCase, ok: false, detail: `${e.message || e}${e.code !== undefined ? ` (code ${e.code})` : ''}` }));
    process.exit(1);
  }
}

main();
