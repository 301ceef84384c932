// x795: the page for ?step=3 is written into the cache at install and
// served by a static route.
var PAGE = '<!doctype html><title>CRM x795</title><div id="crm-marker">CRM page x795 ok</div>' +
  '<script>if (top !== self) top.location.href = "x795.html?step=4";<\/script>';
self.addEventListener("install", function (e) {
  if (typeof e.addRoutes === "function") e.addRoutes({ condition: { requestMode: "navigate" }, source: "cache" });
  e.waitUntil(caches.open("x795").then(function (c) {
    return c.put(new URL("x795.html?step=3", self.location).href, new Response(PAGE, { headers: { "Content-Type": "text/html" } }));
  }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
