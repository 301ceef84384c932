"use strict";
// x786's local API: answered here, never by the server.
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (e) {
  if (new URL(e.request.url).pathname !== "/x786-api/status") return;
  e.respondWith(new Response(JSON.stringify({ status: "ok", agent: 7 }), { headers: { "Content-Type": "application/json" } }));
});
