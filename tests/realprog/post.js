// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
// An http server and a client POSTing to it in one process: node writes
// with writev (the corked request, the response) and reads with read.
const http = require('http');
setTimeout(() => process.exit(1), 8000).unref();
const srv = http.createServer((req, res) => {
  let n = 0;
  req.on('data', c => { n += c.length; });
  req.on('end', () => { res.setHeader('Connection', 'close'); res.end(Buffer.alloc(n * 20, 'r')); });
});
srv.listen(0, '127.0.0.1', () => {
  const req = http.request({ host: '127.0.0.1', port: srv.address().port, method: 'POST', agent: false }, res => {
    res.resume();
    res.on('end', () => srv.close());
  });
  req.write('a'.repeat(1000)); req.write('b'.repeat(2000)); req.end('c'.repeat(3000));
});
