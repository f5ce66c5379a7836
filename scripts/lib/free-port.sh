#!/usr/bin/env bash
# free_port: prints a TCP port on 127.0.0.1 that the kernel reports free (a listener on port 0, closed at once).
# Source this file, then `port=$(free_port)`. Another process may take the port before the caller binds it, so
# a caller retries its start with a new port when its server fails to bind. Needs node (the scripts' npm installs need it too).
free_port() {
  node -e 'const s = require("net").createServer();
s.on("error", e => { console.error("free_port: " + e.message); process.exit(1); });
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
