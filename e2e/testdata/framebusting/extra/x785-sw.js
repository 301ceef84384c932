// x785: the config script is built here.
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (e) {
  if (new URL(e.request.url).pathname.indexOf("/x785-conf.js") < 0) return;
  e.respondWith(new Response('var conf = {}; if (top !== self) top.location.href = "x785.html?step=4";', { headers: { "Content-Type": "text/javascript" } }));
});
