// The app shell of x780: the page for a navigation is built here.
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (e) {
  if (e.request.mode !== "navigate" || new URL(e.request.url).search !== "?step=3") return;
  e.respondWith(new Response('<!doctype html><title>CRM x780</title><div id="crm-marker">CRM page x780 ok</div>' +
    '<script>if (top !== self) top.location.href = "x780.html?step=4";<\/script>', { headers: { "Content-Type": "text/html" } }));
});
