// A fake message provider on 127.0.0.1 (SMS, WhatsApp or a template API): it records each
// request's body, read by `parse`, and answers as `mode` says: 'ok' (200), 'fail' (500), or
// 'hang' (never answers: the server's timeout must fire). It names the n-th message it took
// `msg-<n>` in its answer (`{"id": …}`), as providers do for their delivery reports; `taken`
// counts them (clearing `requests` does not).
import { createServer } from 'node:http';

export function fakeProvider(parse = (body) => Object.fromEntries(new URLSearchParams(body))) {
  const provider = { mode: 'ok', requests: [], taken: 0 };
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      provider.requests.push(parse(body));
      provider.taken += 1;
      if (provider.mode === 'hang') return;
      res.writeHead(provider.mode === 'ok' ? 200 : 500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `msg-${provider.taken}` }));
    });
  });
  provider.start = () => new Promise((ok) => http.listen(0, '127.0.0.1', () => ok(http.address().port)));
  provider.stop = () => { http.closeAllConnections(); return new Promise((ok) => http.close(ok)); };
  return provider;
}
