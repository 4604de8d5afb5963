// pingan verification page service worker: stale-while-revalidate, so that /verify/ and its script load
// with the network cut once visited. Keys and revocation lists are cached by verify.js itself
// (localStorage) and re-verified on load. Version {{ version }} (changes with verify.js).
const CACHE = "pingan-verify-{{ version }}";
const SCOPE = new URL("./", self.location).pathname;
// The QR reader for photos (zxing-wasm, vendored) too, so that a screenshot can be checked offline.
// The site frame the page is drawn in (its style sheet and icon, outside the worker's scope but fetched by the page
// it controls) too: offline, the page keeps its header, menu and colours.
const FRAME = {{ frame|safe }};
const ASSETS = ["./", "./verify.js", "./manifest.webmanifest", "./vendor/zxing-wasm/es/reader/index.js",
                "./vendor/zxing-wasm/es/share.js", "./vendor/zxing-wasm/reader/zxing_reader.wasm", ...FRAME];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("pingan-verify-") && n !== CACHE)
        .map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin
      || !(url.pathname.startsWith(SCOPE) || FRAME.includes(url.pathname))) {
    return;  // keys, lists and the API go to the network; verify.js falls back to its own cache
  }
  // Stale-while-revalidate: answer from the cache at once (so the page loads with no network at all) and
  // refresh the cached copy in the background for the next visit; the network only when nothing is cached.
  const refreshed = fetch(event.request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((c) => c.put(event.request, copy));
    }
    return response;
  });
  event.waitUntil(refreshed.then(() => undefined, () => undefined));
  // ignoreVary: the page is translated, so it answers "Vary: Accept-Language", and a match that honoured
  // Vary missed whenever the navigation's Accept-Language differed from the cached request's: in Chromium
  // set to Chinese the page did not load offline at all (tests/codes/test_app_browser.py). One copy per
  // URL, in the language of the last online visit, is what an offline page can offer.
  event.respondWith(
    caches.match(event.request, { ignoreSearch: true, ignoreVary: true })
      .then((hit) => hit || refreshed)
      .catch(() => Response.error()),
  );
});
