// uv_pbkdf2.js - N crypto.pbkdf2 calls at once on libuv's thread pool (UV_THREADPOOL_SIZE), printing "ops/s: X" for --metric.
'use strict';
const crypto = require('crypto');
const n = Number(process.argv[2] || 64);
const iterations = Number(process.argv[3] || 20000);
const t0 = process.hrtime.bigint();
let left = n;
for (let i = 0; i < n; i++) {
  crypto.pbkdf2('secret', 'salt' + i, iterations, 32, 'sha256', (err) => {
    if (err) throw err;
    if (--left === 0) {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(`ops/s: ${(n / s).toFixed(2)}`);
    }
  });
}
