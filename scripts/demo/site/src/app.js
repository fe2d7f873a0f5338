// Asks the API (proxied by nginx under /api/) whether it is up.
fetch('/api/health')
  .then((r) => (r.ok ? 'The API is up.' : `The API answered ${r.status}.`))
  .catch(() => 'The API is not reachable.')
  .then((text) => {
    document.getElementById('status').textContent = text;
  });
