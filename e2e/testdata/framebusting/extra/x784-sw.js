// Precache x784's pages, answer navigations cache first.
var PAGES = ["x784.html?step=3"];
self.addEventListener("install", function (e) {
  e.waitUntil(caches.open("x784").then(function (c) { return c.addAll(PAGES); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (e) {
  if (e.request.mode !== "navigate") return;
  e.respondWith(caches.match(e.request).then(function (r) { return r || fetch(e.request); }));
});
